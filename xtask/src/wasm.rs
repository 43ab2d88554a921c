//! Wasm surgery the toolchain has no flag for.

use std::borrow::Cow;

/// Removes `features` from a module's `target_features` custom section.
///
/// Why: the content script is compiled to JS with binaryen's wasm2js, which
/// refuses modules with more than one table. The crate itself is compiled without
/// reference-types, but Rust's prebuilt std re-adds `+reference-types` to this
/// section, and wasm-bindgen then switches to its externref table. Dropping the
/// entries makes wasm-bindgen use its JS heap instead. No code changes; every
/// other section is copied byte for byte.
pub fn strip_target_features(module: &[u8], features: &[&str]) -> Result<Vec<u8>, String> {
    let mut out = wasm_encoder::Module::new();
    let mut found = false;
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        let payload = payload.map_err(|e| format!("invalid wasm: {e}"))?;
        let Some((id, range)) = payload.as_section() else {
            continue;
        };
        if let wasmparser::Payload::CustomSection(c) = &payload {
            if c.name() == "target_features" {
                found = true;
                let data = rewrite_features(c.data(), features)?;
                out.section(&wasm_encoder::CustomSection {
                    name: Cow::Borrowed("target_features"),
                    data: Cow::Owned(data),
                });
                continue;
            }
        }
        let bytes = module
            .get(range)
            .ok_or_else(|| "section out of bounds".to_string())?;
        out.section(&wasm_encoder::RawSection { id, data: bytes });
    }
    if !found {
        return Err("the module has no target_features section".into());
    }
    Ok(out.finish())
}

/// The section is a vector of (prefix byte, name) entries.
fn rewrite_features(data: &[u8], drop: &[&str]) -> Result<Vec<u8>, String> {
    let mut reader = wasmparser::BinaryReader::new(data, 0);
    let count = reader.read_var_u32().map_err(|e| e.to_string())?;
    let mut kept: Vec<(u8, String)> = Vec::new();
    for _ in 0..count {
        let prefix = reader.read_u8().map_err(|e| e.to_string())?;
        let name = reader.read_string().map_err(|e| e.to_string())?;
        if !drop.contains(&name) {
            kept.push((prefix, name.to_string()));
        }
    }
    let mut out = Vec::new();
    leb(&mut out, kept.len() as u32);
    for (prefix, name) in kept {
        out.push(prefix);
        leb(&mut out, name.len() as u32);
        out.extend_from_slice(name.as_bytes());
    }
    Ok(out)
}

fn leb(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module_with(features: &[(u8, &str)]) -> Vec<u8> {
        let mut data = Vec::new();
        leb(&mut data, features.len() as u32);
        for (p, n) in features {
            data.push(*p);
            leb(&mut data, n.len() as u32);
            data.extend_from_slice(n.as_bytes());
        }
        let mut m = wasm_encoder::Module::new();
        m.section(&wasm_encoder::CustomSection {
            name: Cow::Borrowed("target_features"),
            data: Cow::Owned(data),
        });
        m.finish()
    }

    fn features_of(module: &[u8]) -> Vec<String> {
        let mut names = Vec::new();
        for p in wasmparser::Parser::new(0).parse_all(module) {
            if let Ok(wasmparser::Payload::CustomSection(c)) = p {
                let mut r = wasmparser::BinaryReader::new(c.data(), 0);
                let n = r.read_var_u32().unwrap_or(0);
                for _ in 0..n {
                    let _ = r.read_u8();
                    names.push(r.read_string().unwrap_or_default().to_string());
                }
            }
        }
        names
    }

    #[test]
    fn drops_only_the_named_features() {
        let m = module_with(&[
            (b'+', "bulk-memory"),
            (b'+', "reference-types"),
            (b'+', "multivalue"),
        ]);
        let out = strip_target_features(&m, &["reference-types", "multivalue"]).unwrap_or_default();
        assert_eq!(features_of(&out), vec!["bulk-memory".to_string()]);
    }

    #[test]
    fn refuses_garbage_and_modules_without_the_section() {
        assert!(strip_target_features(b"not wasm", &["x"]).is_err());
        assert!(strip_target_features(&wasm_encoder::Module::new().finish(), &["x"]).is_err());
    }
}
