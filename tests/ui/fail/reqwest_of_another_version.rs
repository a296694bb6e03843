// `send_traced` on what is not a request builder of a reqwest version that tracefault's
// features enable (as reqwest 0.12's is with only the `reqwest` feature, for 0.13): the error
// names the features and the versions they are for, not "no method named `send_traced`".
use tracefault::integrations::ReqwestExt;

struct RequestBuilder;

fn main() {
    let _ = RequestBuilder.send_traced();
}
