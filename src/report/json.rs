//! The SPEC's version-1 JSON report: one object, stable field names. The
//! shape is the `Report` struct's serde form; this file only writes it.

use std::io::Write;

use anyhow::Result;

use super::Report;

pub fn write(report: &Report, out: &mut dyn Write) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")?;
    Ok(())
}
