//! What each shipped wasm module is made of, by crate (issue #13: "the size
//! breakdown per artefact"). `cargo xtask bench` rebuilds each module as the
//! build does (wasm-bindgen, then wasm-opt `-Oz`), but with `-g` so the function
//! names survive, and attributes every function body to the crate its demangled
//! name starts with; data segments and the rest (types, imports, tables, the
//! names themselves excluded) are their own rows.
//!
//! Hand-written over `wasmparser` (already a dependency) and `rustc-demangle`:
//! twiggy would do the per-function part, but not the grouping by crate, and it
//! is a large tool to install for one table.

use std::collections::BTreeMap;

/// Bytes of one module, by part.
#[derive(Debug, Default, PartialEq)]
pub struct Breakdown {
    /// Function bodies, by crate (`std`, `core` and `alloc` together as `std`).
    pub crates: BTreeMap<String, u64>,
    /// Data segments (strings, tables, panic locations).
    pub data: u64,
    /// Everything else but the custom sections (types, imports, exports, tables…).
    pub other: u64,
}

impl Breakdown {
    /// Code, data and other: the module without its custom sections.
    pub fn total(&self) -> u64 {
        self.crates.values().sum::<u64>() + self.data + self.other
    }
}

/// The crate a (mangled or plain) function name belongs to.
pub fn crate_of(name: &str) -> String {
    let demangled = format!("{:#}", rustc_demangle::demangle(name));
    let mut s = demangled.as_str();
    // `<T as Trait>::f`, `<&mut T>::f`, `<[T]>::f`, `{closure}`…: the first path.
    loop {
        let t = s.trim_start_matches(['<', '&', '[', '(', '*', ' ']);
        let t = t
            .strip_prefix("mut ")
            .or_else(|| t.strip_prefix("const "))
            .or_else(|| t.strip_prefix("dyn "))
            .unwrap_or(t);
        if t.len() == s.len() {
            break;
        }
        s = t;
    }
    // `<f64 as core::fmt::Display>::fmt`, `<T as serde::Serialize>::…`: a
    // primitive or generic type has no crate; the trait's crate wrote the code.
    let head = s.split("::").next().unwrap_or(s);
    let plain = head
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<String>();
    let primitive = matches!(
        plain.as_str(),
        "bool"
            | "char"
            | "str"
            | "f32"
            | "f64"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "usize"
            | "i8"
            | "i16"
            | "i32"
            | "i64"
            | "i128"
            | "isize"
    ) || (plain.len() == 1 && plain.chars().all(|c| c.is_ascii_uppercase()));
    if primitive {
        if let Some((_, tr)) = s.split_once(" as ") {
            if tr.contains("::") {
                return crate_of(tr);
            }
        }
    }
    let first = s.split("::").next().unwrap_or(s);
    let first: String = first
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    match first.as_str() {
        "core" | "alloc" | "std" | "panic_abort" | "compiler_builtins" => "std".into(),
        "" => "(unnamed)".into(),
        f if f.starts_with("__wbg") || f.starts_with("__wbindgen") || f == "wasm_bindgen" => {
            "wasm_bindgen".into()
        }
        f if !s.contains("::") => format!("({f})"),
        f => f.to_string(),
    }
}

/// Reads a module's function names, bodies and sections.
pub fn breakdown(module: &[u8]) -> Result<Breakdown, String> {
    use wasmparser::{KnownCustom, Name, Payload, TypeRef};
    let mut imported = 0u32;
    let mut bodies: Vec<u64> = Vec::new();
    let mut names: BTreeMap<u32, String> = BTreeMap::new();
    let mut out = Breakdown::default();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        let payload = payload.map_err(|e| format!("invalid wasm: {e}"))?;
        match &payload {
            Payload::ImportSection(reader) => {
                for import in reader.clone().into_imports() {
                    let import = import.map_err(|e| e.to_string())?;
                    if matches!(import.ty, TypeRef::Func(_)) {
                        imported += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                bodies.push(body.range().len() as u64);
            }
            Payload::DataSection(reader) => {
                out.data += reader.range().len() as u64;
            }
            Payload::CustomSection(c) => {
                if let KnownCustom::Name(reader) = c.as_known() {
                    for sub in reader {
                        let Ok(Name::Function(map)) = sub else {
                            continue;
                        };
                        for naming in map.into_iter().flatten() {
                            names.insert(naming.index, naming.name.to_string());
                        }
                    }
                }
            }
            _ => {}
        }
        if let Some((id, range)) = payload.as_section() {
            // Code and data are counted above; custom sections (names,
            // producers) are not shipped weight of interest.
            if !matches!(id, 0 | 10 | 11) {
                out.other += range.len() as u64;
            }
        }
    }
    for (i, size) in bodies.into_iter().enumerate() {
        let index = imported + i as u32;
        let krate = names
            .get(&index)
            .map_or_else(|| "(unnamed)".to_string(), |n| crate_of(n));
        *out.crates.entry(krate).or_default() += size;
    }
    Ok(out)
}

/// A markdown table of several modules' breakdowns: the `top` largest crates of
/// each, the rest summed.
pub fn table(modules: &[(String, Breakdown)], top: usize) -> String {
    let mut md = String::from("| module | part | bytes | share |\n|---|---|---:|---:|\n");
    for (name, b) in modules {
        let total = b.total().max(1);
        let mut crates: Vec<(&String, &u64)> = b.crates.iter().collect();
        crates.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let pct = |n: u64| format!("{:.1} %", n as f64 * 100.0 / total as f64);
        md.push_str(&format!(
            "| **{name}** | **total (code + data + other)** | **{}** | 100 % |\n",
            b.total()
        ));
        for (c, n) in crates.iter().take(top) {
            md.push_str(&format!("| | {c} | {n} | {} |\n", pct(**n)));
        }
        let rest: u64 = crates.iter().skip(top).map(|(_, n)| **n).sum();
        if rest > 0 {
            md.push_str(&format!(
                "| | {} other crates | {rest} | {} |\n",
                crates.len() - top,
                pct(rest)
            ));
        }
        md.push_str(&format!(
            "| | data segments | {} | {} |\n",
            b.data,
            pct(b.data)
        ));
        md.push_str(&format!(
            "| | types, imports, exports, tables | {} | {} |\n",
            b.other,
            pct(b.other)
        ));
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_are_put_in_their_crate() {
        for (name, want) in [
            ("_ZN12alisave_core7extract4html4scan17h0123456789abcdefE", "alisave_core"),
            ("_ZN4core3fmt9Formatter3pad17h0123456789abcdefE", "std"),
            ("_ZN5alloc7raw_vec11finish_grow17h0123456789abcdefE", "std"),
            ("_ZN10serde_json2de10from_trait17h0123456789abcdefE", "serde_json"),
            (
                "_ZN64_$LT$leptos..view..View$LT$T$GT$$u20$as$u20$core..fmt..Debug$GT$3fmt17h0123456789abcdefE",
                "leptos",
            ),
            // wasm-bindgen writes the names demangled.
            ("<&mut alisave_core::say::Say as core::fmt::Display>::fmt", "alisave_core"),
            ("<f64 as core::fmt::Display>::fmt", "std"),
            ("<T as serde::ser::Serialize>::serialize", "serde"),
            ("__wbindgen_malloc", "wasm_bindgen"),
            ("memcpy", "(memcpy)"),
            ("", "(unnamed)"),
        ] {
            assert_eq!(crate_of(name), want, "{name}");
        }
    }

    #[test]
    fn a_module_is_measured_by_part() {
        // (module (func $a) (func $b (nop)) (data "abcd")) with names, by hand.
        let wat = wasm_encoder_module();
        let b = breakdown(&wat).expect("valid");
        assert_eq!(b.data, 10, "{b:?}");
        assert_eq!(b.crates.len(), 2, "{b:?}");
        assert!(b.crates.contains_key("alisave_core"));
        assert!(b.crates.contains_key("std"));
        assert!(b.other > 0);
        assert!(table(&[("m".into(), b)], 1).contains("| | 1 other crates |"));
    }

    fn wasm_encoder_module() -> Vec<u8> {
        use wasm_encoder::{
            CodeSection, DataSection, Function, FunctionSection, Instruction, MemorySection,
            MemoryType, Module, NameMap, NameSection, TypeSection,
        };
        let mut m = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], []);
        m.section(&types);
        let mut funcs = FunctionSection::new();
        funcs.function(0);
        funcs.function(0);
        m.section(&funcs);
        let mut mem = MemorySection::new();
        mem.memory(MemoryType {
            minimum: 1,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        m.section(&mem);
        let mut code = CodeSection::new();
        let mut f = Function::new([]);
        f.instruction(&Instruction::End);
        code.function(&f);
        let mut g = Function::new([]);
        g.instruction(&Instruction::Nop);
        g.instruction(&Instruction::End);
        code.function(&g);
        m.section(&code);
        let mut data = DataSection::new();
        data.active(0, &wasm_encoder::ConstExpr::i32_const(0), b"abcd".to_vec());
        m.section(&data);
        let mut names = NameSection::new();
        let mut fnames = NameMap::new();
        fnames.append(0, "_ZN12alisave_core1a17h0123456789abcdefE");
        fnames.append(1, "_ZN4core1b17h0123456789abcdefE");
        names.functions(&fnames);
        m.section(&names);
        m.finish()
    }
}
