//! The objects loaded into this process (the executable and its shared libraries), where each
//! lies in memory, and how an address in memory translates to the address its file states.

use std::path::PathBuf;

/// One loaded object, as the dynamic linker reports it.
pub(super) struct LoadedObject {
    /// Its file: the executable's own path for the main program.
    pub(super) path: PathBuf,
    /// Added to the addresses the file states to get where they are in memory.
    bias: usize,
    /// The loaded segments, `[start, end)` in memory.
    segments: Vec<(usize, usize)>,
}

impl LoadedObject {
    /// The address `avma` (in memory) as the object's file states it, if the object holds it.
    pub(super) fn stated_address(&self, avma: usize) -> Option<u64> {
        self.segments
            .iter()
            .any(|&(start, end)| start <= avma && avma < end)
            .then(|| avma.wrapping_sub(self.bias) as u64)
    }

    #[cfg(test)]
    pub(super) fn segment_holding(&self, avma: usize) -> Option<(usize, usize)> {
        self.segments
            .iter()
            .copied()
            .find(|&(start, end)| start <= avma && avma < end)
    }
}

/// The objects loaded now. Libraries opened later with `dlopen` are not among them (as with the
/// `backtrace` crate, which also lists them once); their frames are resolved by the fallback.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(super) fn loaded_objects() -> Vec<LoadedObject> {
    use std::ffi::CStr;
    use std::os::unix::ffi::OsStrExt as _;

    unsafe extern "C" fn collect(
        info: *mut libc::dl_phdr_info,
        _size: libc::size_t,
        data: *mut libc::c_void,
    ) -> libc::c_int {
        // SAFETY: `dl_iterate_phdr` passes a valid `info` for the duration of the call, and
        // `data` is the `Vec` that `loaded_objects` handed it.
        let (info, objects) = unsafe { (&*info, &mut *data.cast::<Vec<LoadedObject>>()) };
        let is_main = objects.is_empty();
        let name = if info.dlpi_name.is_null() {
            &[][..]
        } else {
            // SAFETY: a non-null `dlpi_name` is a NUL-terminated string owned by the linker.
            unsafe { CStr::from_ptr(info.dlpi_name) }.to_bytes()
        };
        let path = if name.is_empty() {
            if !is_main {
                // The vDSO: no file to read.
                return 0;
            }
            match std::env::current_exe() {
                Ok(path) => path,
                Err(_) => return 0,
            }
        } else {
            PathBuf::from(std::ffi::OsStr::from_bytes(name))
        };
        let headers: &[_] = if info.dlpi_phdr.is_null() {
            &[]
        } else {
            // SAFETY: the linker gives `dlpi_phnum` program headers at `dlpi_phdr`.
            unsafe { std::slice::from_raw_parts(info.dlpi_phdr, usize::from(info.dlpi_phnum)) }
        };
        let bias = info.dlpi_addr as usize;
        let segments = headers
            .iter()
            .filter(|header| header.p_type == libc::PT_LOAD)
            .map(|header| {
                let start = (header.p_vaddr as usize).wrapping_add(bias);
                (start, start.wrapping_add(header.p_memsz as usize))
            })
            .collect();
        objects.push(LoadedObject {
            path,
            bias,
            segments,
        });
        0
    }

    let mut objects: Vec<LoadedObject> = Vec::new();
    // SAFETY: `collect` matches the callback type and only touches `objects` through `data`.
    unsafe {
        libc::dl_iterate_phdr(Some(collect), (&raw mut objects).cast());
    }
    objects
}

/// No list of loaded objects here: every address goes to the fallback.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(super) fn loaded_objects() -> Vec<LoadedObject> {
    Vec::new()
}

#[cfg(all(test, any(target_os = "linux", target_os = "android")))]
mod tests {
    use super::*;

    #[test]
    fn this_function_lies_in_the_executable() {
        let objects = loaded_objects();
        let here = this_function_lies_in_the_executable as fn() as usize;
        let owner = objects
            .iter()
            .find(|object| object.stated_address(here).is_some())
            .expect("some loaded object holds this function");
        assert_eq!(owner.path, std::env::current_exe().unwrap());
    }
}
