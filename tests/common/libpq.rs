//! The real libpq installed on this machine, through `pq-sys`: what
//! `PQconninfoParse` makes of a string.

use std::collections::BTreeMap;
use std::ffi::{CStr, CString};

/// Keyword → value for every keyword libpq set.
pub type Values = BTreeMap<String, String>;

/// The major version of the linked libpq.
pub fn version() -> u32 {
    // SAFETY: PQlibVersion has no preconditions.
    let v = unsafe { pq_sys::PQlibVersion() };
    u32::try_from(v / 10000).unwrap_or(15)
}

/// What `PQconninfoParse` returns: the non-null values, or the error message.
pub fn parse(input: &str) -> Result<Values, String> {
    let c = CString::new(input).map_err(|_| "NUL in input".to_string())?;
    let mut err: *mut std::os::raw::c_char = std::ptr::null_mut();
    // SAFETY: `c` is a valid C string and `err` a valid out pointer; the
    // result and the message are freed with the matching libpq functions.
    unsafe {
        let opts = pq_sys::PQconninfoParse(c.as_ptr(), &mut err);
        if opts.is_null() {
            let msg = if err.is_null() { String::new() } else { CStr::from_ptr(err).to_string_lossy().trim_end().to_string() };
            if !err.is_null() {
                pq_sys::PQfreemem(err.cast());
            }
            return Err(msg);
        }
        let mut out = Values::new();
        let mut p = opts;
        while !(*p).keyword.is_null() {
            if !(*p).val.is_null() {
                let k = CStr::from_ptr((*p).keyword).to_string_lossy().into_owned();
                let v = String::from_utf8_lossy(CStr::from_ptr((*p).val).to_bytes()).into_owned();
                out.insert(k, v);
            }
            p = p.add(1);
        }
        pq_sys::PQconninfoFree(opts);
        Ok(out)
    }
}
