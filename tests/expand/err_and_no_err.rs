type Outcome = Result<(), String>;

#[tracefault::trace(err)]
fn forced() -> Outcome {
    Ok(())
}

#[tracefault::trace(no_err)]
fn refused() -> Result<(), String> {
    Ok(())
}
