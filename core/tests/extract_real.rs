//! Exact inventories for every real fixture in `tests/fixtures/real/`
//! (see its PROVENANCE.md). Wrappers around script dumps are synthetic and
//! say so in the test name.

mod common;

use alisave_core::extract::Document;
use alisave_core::{Inventory, MediaItem, MediaKind, Platform};
use common::{fixture, run, urls};

fn variants(inv: &Inventory) -> Vec<(&str, &str, &str)> {
    inv.of_kind(MediaKind::Variant)
        .map(|i| {
            let v = i.variant.as_ref().expect("variant label");
            (i.url.as_str(), v.axis.as_str(), v.value.as_str())
        })
        .collect()
}

/// Invariants every inventory must satisfy.
fn check_invariants(inv: &Inventory) {
    let mut keys = std::collections::HashSet::new();
    let mut last_kind = MediaKind::Gallery;
    for it in &inv.items {
        assert!(alisave_core::url::is_cdn_media_url(&it.url), "{}", it.url);
        assert_eq!(
            alisave_core::url::original_url(&it.url).as_deref(),
            Some(it.url.as_str())
        );
        assert_eq!(it.key, alisave_core::url::cdn_key(&it.url));
        assert!(keys.insert(it.key.clone()), "duplicate key {}", it.key);
        assert!(it.kind >= last_kind, "items out of kind order");
        last_kind = it.kind;
        assert_eq!(
            it.variant.is_some(),
            it.kind == MediaKind::Variant && it.variant.is_some()
        );
        if it.kind != MediaKind::Video {
            assert_eq!(it.preview, alisave_core::url::preview_url(&it.url));
        }
    }
}

// ---------------------------------------------------------------------------
// Era A: the real hydrated he.aliexpress.com page (jshemas).

const ERA_A_GALLERY: [&str; 5] = [
    "https://ae01.alicdn.com/kf/HTB1.DiLM7voK1RjSZFDq6xY3pXam/Apple-iPhone-SE-A9-Dual-Core-2GB-RAM-16.jpg",
    "https://ae01.alicdn.com/kf/HTB1bB9MM9zqK1RjSZFpq6ykSXXa0/Apple-iPhone-SE-A9-Dual-Core-2GB-RAM-16.jpg",
    "https://ae01.alicdn.com/kf/HTB1KBSJM9zqK1RjSZFjq6zlCFXaH/Apple-iPhone-SE-A9-Dual-Core-2GB-RAM-16.jpg",
    "https://ae01.alicdn.com/kf/HTB1tIGJMYvpK1RjSZFqq6AXUVXaV/Apple-iPhone-SE-A9-Dual-Core-2GB-RAM-16.jpg",
    "https://ae01.alicdn.com/kf/HTB1I8SOMW6qK1RjSZFmq6x0PFXaN/Apple-iPhone-SE-A9-Dual-Core-2GB-RAM-16.jpg",
];

const ERA_A_VARIANTS: [(&str, &str, &str); 4] = [
    ("https://ae01.alicdn.com/kf/HTB1Qc9HMYPpK1RjSZFFq6y5PpXaB/Apple-iPhone-SE-A9-Dual-Core-2GB-RAM-16.jpg", "צבע", "Black"),
    ("https://ae01.alicdn.com/kf/HTB1j8qDM6DpK1RjSZFrq6y78VXa9/Apple-iPhone-SE-A9-Dual-Core-2GB-RAM-16.jpg", "צבע", "Rose Gold"),
    ("https://ae01.alicdn.com/kf/HTB199ePMVzqK1RjSZFCq6zbxVXaT/Apple-iPhone-SE-A9-Dual-Core-2GB-RAM-16.jpg", "צבע", "Silver"),
    ("https://ae01.alicdn.com/kf/HTB1QB1KM3HqK1RjSZFgq6y7JXXaa/Apple-iPhone-SE-A9-Dual-Core-2GB-RAM-16.jpg", "צבע", "Gold"),
];

/// The 17 description `<img>` minus the 3 linked cross-sell images of the
/// first `kse:widget relatedProduct` block. The last one (plug adapter) sits
/// in a second relatedProduct widget but is the seller's own, unlinked
/// picture, so it is product media; its `?size=…&hash=…` query is dropped.
const ERA_A_DESCRIPTION: [&str; 14] = [
    "https://ae01.alicdn.com/kf/HTB1f6sOOVXXXXbAXFXXq6xXFXXXC/221558572/HTB1f6sOOVXXXXbAXFXXq6xXFXXXC.jpg",
    "https://ae01.alicdn.com/kf/HTB1XKkNOVXXXXcRXFXXq6xXFXXXP/221558572/HTB1XKkNOVXXXXcRXFXXq6xXFXXXP.jpg",
    "https://ae01.alicdn.com/kf/HTB13OZTOVXXXXcjXpXXq6xXFXXXJ/221558572/HTB13OZTOVXXXXcjXpXXq6xXFXXXJ.jpg",
    "https://ae01.alicdn.com/kf/HTB12NEnOVXXXXbCaXXXq6xXFXXXw/221558572/HTB12NEnOVXXXXbCaXXXq6xXFXXXw.jpg",
    "https://ae01.alicdn.com/kf/HTB1Uw3ROVXXXXavXFXXq6xXFXXXb/221558572/HTB1Uw3ROVXXXXavXFXXq6xXFXXXb.jpg",
    "https://ae01.alicdn.com/kf/HTB1pq7YOVXXXXXBXpXXq6xXFXXXA/221558572/HTB1pq7YOVXXXXXBXpXXq6xXFXXXA.jpg",
    "https://ae01.alicdn.com/kf/HTB1BsM1OVXXXXbUXXXXq6xXFXXXp/221558572/HTB1BsM1OVXXXXbUXXXXq6xXFXXXp.jpg",
    "https://ae01.alicdn.com/kf/HTB1f0gwOVXXXXaEaXXXq6xXFXXXA/221558572/HTB1f0gwOVXXXXaEaXXXq6xXFXXXA.jpg",
    "https://ae01.alicdn.com/kf/HTB1XJAsOVXXXXb.aXXXq6xXFXXXC/221558572/HTB1XJAsOVXXXXb.aXXXq6xXFXXXC.jpg",
    "https://ae01.alicdn.com/kf/HTB16looOVXXXXaFapXXq6xXFXXXF/221558572/HTB16looOVXXXXaFapXXq6xXFXXXF.jpg",
    "https://ae01.alicdn.com/kf/HTB1qFE1OVXXXXc3XXXXq6xXFXXXR/221558572/HTB1qFE1OVXXXXc3XXXXq6xXFXXXR.jpg",
    "https://ae01.alicdn.com/kf/HTB1NAkmOVXXXXcXapXXq6xXFXXX3/221558572/HTB1NAkmOVXXXXcXapXXq6xXFXXX3.jpg",
    "https://ae01.alicdn.com/kf/HTB1psoUOVXXXXbHXpXXq6xXFXXXs/221558572/HTB1psoUOVXXXXbHXpXXq6xXFXXXs.jpg",
    "https://ae01.alicdn.com/kf/HTB1DCN8PXXXXXX8XXXXq6xXFXXXa/221558572/HTB1DCN8PXXXXXX8XXXXq6xXFXXXa.jpg",
];

/// Keys that must never appear: cross-sell (kse:widget links), "you may like"
/// and "recommend" thumbnails.
const ERA_A_NOT_MEDIA: [&str; 7] = [
    "kf:H18dce63fda4244558fca41c313bc3af9q",
    "kf:Hdac0410a4c7248b4b98e1ae5070ec51ao",
    "kf:H5a3738e220cd41ba9a2ec39065293b1eh",
    "kf:HTB1yUp.psyYBuNkSnfoq6AWgVXa7",
    "kf:HTB1ckK0XBr0gK0jSZFnq6zRRXXaa",
    "kf:HTB1zXrSXEY1gK0jSZFCq6AwqXXa6",
    "kf:HTB1JXAkSW6qK1RjSZFmq6x0PFXao",
];

#[test]
fn era_a_real_jshemas_page() {
    let html = fixture("jshemas-openGraphScraperPages/aliexpress.html");
    let inv = run(
        "https://he.aliexpress.com/item/32993251330.html",
        &html,
        &[],
    );
    check_invariants(&inv);
    assert_eq!(inv.platform, Some(Platform::AliExpress));
    assert_eq!(inv.product_id, "32993251330");
    assert_eq!(inv.host, "he.aliexpress.com");
    assert_eq!(inv.locale.as_deref(), Some("iw_IL"));
    assert_eq!(inv.shop.as_deref(), Some("Summer Technology Co.,Ltd."));
    assert!(inv
        .title
        .as_deref()
        .is_some_and(|t| t.starts_with("מקורי Apple iPhone SE")));
    assert_eq!(urls(&inv, MediaKind::Gallery), ERA_A_GALLERY);
    assert_eq!(variants(&inv), ERA_A_VARIANTS);
    assert_eq!(urls(&inv, MediaKind::Description), ERA_A_DESCRIPTION);
    assert_eq!(urls(&inv, MediaKind::Video), Vec::<&str>::new());
    assert_eq!(inv.items.len(), 5 + 4 + 14);
    for k in ERA_A_NOT_MEDIA {
        assert!(
            inv.items.iter().all(|i| i.key != k),
            "{k} must not be media"
        );
    }
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    // Previews use the 250 px thumbnail form.
    assert_eq!(
        inv.items[0].preview.as_deref(),
        Some("https://ae01.alicdn.com/kf/HTB1.DiLM7voK1RjSZFDq6xY3pXam/Apple-iPhone-SE-A9-Dual-Core-2GB-RAM-16.jpg_250x250.jpg")
    );
}

#[test]
fn era_a_dom_only_fallback_on_real_page_without_run_params() {
    // Same real page with the runParams script neutralised (synthetic edit):
    // the hydrated DOM alone must give the gallery, swatches and description.
    let html = fixture("jshemas-openGraphScraperPages/aliexpress.html")
        .replace("window.runParams", "window.xxxParams");
    let inv = run(
        "https://he.aliexpress.com/item/32993251330.html",
        &html,
        &[],
    );
    check_invariants(&inv);
    assert_eq!(urls(&inv, MediaKind::Gallery), ERA_A_GALLERY);
    let v: Vec<(&str, &str)> = variants(&inv).iter().map(|(u, _, n)| (*u, *n)).collect();
    let want: Vec<(&str, &str)> = ERA_A_VARIANTS.iter().map(|(u, _, n)| (*u, *n)).collect();
    assert_eq!(v, want);
    assert_eq!(urls(&inv, MediaKind::Description), ERA_A_DESCRIPTION);
    for k in ERA_A_NOT_MEDIA {
        assert!(
            inv.items.iter().all(|i| i.key != k),
            "{k} must not be media"
        );
    }
}

// ---------------------------------------------------------------------------
// Era B: the real airvzxf runParams dumps, wrapped in a synthetic page.

struct EraB {
    id: &'static str,
    title: &'static str,
    shop: &'static str,
    gallery: &'static [&'static str],
    variants: &'static [(&'static str, &'static str, &'static str)],
    video: Option<&'static str>,
}

const ERA_B: &[EraB] = &[
    EraB {
        id: "1005002724686123",
        title: "Adaptador de corriente alterna/CC para cargador de ADP-330AB MSI GT80, GT75, GT62VR, GT73VR, 7RF, TITAN PRO, 330W, DELTA MS-17A2 D, 19,5 V, 16.9A, MS-1814",
        shop: "MAGIC AURORA Store",
        gallery: &[
            "https://ae01.alicdn.com/kf/H90e8130c2b534524bbc09036e7a36a8ev/Adaptador-de-corriente-alterna-CC-para-cargador-de-ADP-330AB-MSI-GT80-GT75-GT62VR-GT73VR-7RF.jpg",
            "https://ae01.alicdn.com/kf/He9fd80870e0c4844bfb3f1ec5612dc12O/Adaptador-de-corriente-alterna-CC-para-cargador-de-ADP-330AB-MSI-GT80-GT75-GT62VR-GT73VR-7RF.jpg",
            "https://ae01.alicdn.com/kf/H6b84add2ee4949e6960cedd8868b48e3x/Adaptador-de-corriente-alterna-CC-para-cargador-de-ADP-330AB-MSI-GT80-GT75-GT62VR-GT73VR-7RF.jpg",
            "https://ae01.alicdn.com/kf/H62f562dbbc414a758b82dc0c9843384dx/Adaptador-de-corriente-alterna-CC-para-cargador-de-ADP-330AB-MSI-GT80-GT75-GT62VR-GT73VR-7RF.jpg",
            "https://ae01.alicdn.com/kf/H82292d185c2c410e9bb430028f3132f0M/Adaptador-de-corriente-alterna-CC-para-cargador-de-ADP-330AB-MSI-GT80-GT75-GT62VR-GT73VR-7RF.jpg",
            "https://ae01.alicdn.com/kf/H2efe0bf6880947e99765265c1eaa8dbaH/Adaptador-de-corriente-alterna-CC-para-cargador-de-ADP-330AB-MSI-GT80-GT75-GT62VR-GT73VR-7RF.jpg",
        ],
        variants: &[
            ("https://ae01.alicdn.com/kf/Sc24368488e004fd4bfccd19e1e5316e0d/Adaptador-de-corriente-alterna-CC-para-cargador-de-ADP-330AB-MSI-GT80-GT75-GT62VR-GT73VR-7RF.jpg", "Color", "BR Plug"),
            ("https://ae01.alicdn.com/kf/Scf543bf354054d7e83b28bec395addaeW/Adaptador-de-corriente-alterna-CC-para-cargador-de-ADP-330AB-MSI-GT80-GT75-GT62VR-GT73VR-7RF.jpg", "Color", "EU Plug"),
            ("https://ae01.alicdn.com/kf/Sd0a045dc7b19431a96e729d303ce7e28m/Adaptador-de-corriente-alterna-CC-para-cargador-de-ADP-330AB-MSI-GT80-GT75-GT62VR-GT73VR-7RF.jpg", "Color", "AU Plug"),
            ("https://ae01.alicdn.com/kf/S1a84e0c179834479b3538ec83fba7a33P/Adaptador-de-corriente-alterna-CC-para-cargador-de-ADP-330AB-MSI-GT80-GT75-GT62VR-GT73VR-7RF.jpg", "Color", "US Plug"),
            ("https://ae01.alicdn.com/kf/S5b50c2fedfdf4276bd745221c1315198A/Adaptador-de-corriente-alterna-CC-para-cargador-de-ADP-330AB-MSI-GT80-GT75-GT62VR-GT73VR-7RF.jpg", "Color", "UK Plug"),
            ("https://ae01.alicdn.com/kf/Seed77aee83964698880e0ffd813c8a9dt/Adaptador-de-corriente-alterna-CC-para-cargador-de-ADP-330AB-MSI-GT80-GT75-GT62VR-GT73VR-7RF.jpg", "Color", "Without Power Cord"),
        ],
        video: Some("https://video.aliexpress-media.com/play/u/ae_sg_item/2209493311115/p/1/e/6/t/10301/313196470521.mp4"),
    },
    EraB {
        id: "1005004787627817",
        title: "Cristal de 6,39 pulgadas para Xiaomi Redmi K20, cubierta trasera de batería, carcasa de cristal, reemplazo para K20 Pro, carcasa trasera para Mi 9T Pro",
        shop: "eachway Official Store",
        gallery: &[
            "https://ae01.alicdn.com/kf/Sdfc7b17655294be782060c7cee496aa9p/Cristal-de-6-39-pulgadas-para-Xiaomi-Redmi-K20-cubierta-trasera-de-bater-a-carcasa-de.jpg",
            "https://ae01.alicdn.com/kf/S984c2fef625c4f23b0079992460a885f8/Cristal-de-6-39-pulgadas-para-Xiaomi-Redmi-K20-cubierta-trasera-de-bater-a-carcasa-de.jpg",
            "https://ae01.alicdn.com/kf/S44d3f4c569fe4c3b9b99ec7b06f9c277o/Cristal-de-6-39-pulgadas-para-Xiaomi-Redmi-K20-cubierta-trasera-de-bater-a-carcasa-de.jpg",
            "https://ae01.alicdn.com/kf/Sc0fd251fbcd948a2a6c3077294f4f6ddQ/Cristal-de-6-39-pulgadas-para-Xiaomi-Redmi-K20-cubierta-trasera-de-bater-a-carcasa-de.jpg",
            "https://ae01.alicdn.com/kf/S8f6e8f24b7f947f6b88564643b15bdfc0/Cristal-de-6-39-pulgadas-para-Xiaomi-Redmi-K20-cubierta-trasera-de-bater-a-carcasa-de.jpg",
            "https://ae01.alicdn.com/kf/S53cbc901957147c49bdf4f225183534eG/Cristal-de-6-39-pulgadas-para-Xiaomi-Redmi-K20-cubierta-trasera-de-bater-a-carcasa-de.jpg",
        ],
        variants: &[
            ("https://ae01.alicdn.com/kf/S309049bb3e004b6b995d49a2461bf8adX/Cristal-de-6-39-pulgadas-para-Xiaomi-Redmi-K20-cubierta-trasera-de-bater-a-carcasa-de.jpg", "Color", "Red (Redmi) Logo"),
            ("https://ae01.alicdn.com/kf/S3925efbcfc394805914b10994c5514b9j/Cristal-de-6-39-pulgadas-para-Xiaomi-Redmi-K20-cubierta-trasera-de-bater-a-carcasa-de.jpg", "Color", "Blue (Redmi) Logo"),
            ("https://ae01.alicdn.com/kf/Se50f45203bb1446d9814b68b4c4c4bbae/Cristal-de-6-39-pulgadas-para-Xiaomi-Redmi-K20-cubierta-trasera-de-bater-a-carcasa-de.jpg", "Color", "White (Redmi) Logo"),
            ("https://ae01.alicdn.com/kf/S3cf5cb99ffb84bfe82dcd1bd4f3c28feU/Cristal-de-6-39-pulgadas-para-Xiaomi-Redmi-K20-cubierta-trasera-de-bater-a-carcasa-de.jpg", "Color", "Black (Redmi) Logo"),
            ("https://ae01.alicdn.com/kf/Sbaa8c809d7204cb5bd1ff87632aaca6cJ/Cristal-de-6-39-pulgadas-para-Xiaomi-Redmi-K20-cubierta-trasera-de-bater-a-carcasa-de.jpg", "Color", "Transparent (Redmi)"),
            ("https://ae01.alicdn.com/kf/S5288e07e7848468f8572b9b31b34133eY/Cristal-de-6-39-pulgadas-para-Xiaomi-Redmi-K20-cubierta-trasera-de-bater-a-carcasa-de.jpg", "Color", "Red (Mi) Logo"),
            ("https://ae01.alicdn.com/kf/Saa2578e12eab40958549b57db4947d64U/Cristal-de-6-39-pulgadas-para-Xiaomi-Redmi-K20-cubierta-trasera-de-bater-a-carcasa-de.jpg", "Color", "Blue (Mi) Logo"),
            ("https://ae01.alicdn.com/kf/S38e28cb30915410dae955ee43c6480d3N/Cristal-de-6-39-pulgadas-para-Xiaomi-Redmi-K20-cubierta-trasera-de-bater-a-carcasa-de.jpg", "Color", "White (Mi) Logo"),
            ("https://ae01.alicdn.com/kf/Sa00bd0480ce04e6fbaefd6281ef7a065u/Cristal-de-6-39-pulgadas-para-Xiaomi-Redmi-K20-cubierta-trasera-de-bater-a-carcasa-de.jpg", "Color", "Black (Mi) Logo"),
            ("https://ae01.alicdn.com/kf/Sb1c6a9041046425794cab50ffdc1fb71G/Cristal-de-6-39-pulgadas-para-Xiaomi-Redmi-K20-cubierta-trasera-de-bater-a-carcasa-de.jpg", "Color", "Navy Blue(Mi) Logo"),
            ("https://ae01.alicdn.com/kf/Sc52311cefc4e41569e6a9c3bbcafe8f4x/Cristal-de-6-39-pulgadas-para-Xiaomi-Redmi-K20-cubierta-trasera-de-bater-a-carcasa-de.jpg", "Color", "Black (Mi) Logo CE"),
        ],
        video: Some("https://video.aliexpress-media.com/play/u/ae_sg_item/2136113456/p/1/e/6/t/10301/314590204503.mp4"),
    },
    EraB {
        id: "1005005424987520",
        title: "Baofeng Walkie Talkie UV 5R 5W 8W doble banda de radio de dos vías Vhf Uhf FM radio transceptor de mano caza 16KM",
        shop: "Factory Direct Collected Store",
        gallery: &[
            "https://ae01.alicdn.com/kf/S3196a7bf669f44a4ae2e69dff56b626dx/Baofeng-Walkie-Talkie-UV-5R-5W-8W-doble-banda-de-radio-de-dos-v-as-Vhf.jpg",
            "https://ae01.alicdn.com/kf/Sf838b37d95064b62be2b9b56d45c3bfbH/Baofeng-Walkie-Talkie-UV-5R-5W-8W-doble-banda-de-radio-de-dos-v-as-Vhf.jpg",
            "https://ae01.alicdn.com/kf/Sab7bfc957a0e4a7ba1b8c3e351dd2948q/Baofeng-Walkie-Talkie-UV-5R-5W-8W-doble-banda-de-radio-de-dos-v-as-Vhf.jpg",
            "https://ae01.alicdn.com/kf/S6b99909099e74d0da86b0d3d967cd5d3T/Baofeng-Walkie-Talkie-UV-5R-5W-8W-doble-banda-de-radio-de-dos-v-as-Vhf.jpg",
            "https://ae01.alicdn.com/kf/S81c6a1f9647b4b00986abda4978b3345O/Baofeng-Walkie-Talkie-UV-5R-5W-8W-doble-banda-de-radio-de-dos-v-as-Vhf.jpg",
            "https://ae01.alicdn.com/kf/S67c421aa74b44796ac7df3c8870be583M/Baofeng-Walkie-Talkie-UV-5R-5W-8W-doble-banda-de-radio-de-dos-v-as-Vhf.jpg",
        ],
        variants: &[
            ("https://ae01.alicdn.com/kf/S7e485f4c108847969f10587b0f5c71e0p/Baofeng-Walkie-Talkie-UV-5R-5W-8W-doble-banda-de-radio-de-dos-v-as-Vhf.jpg", "Color", "5W radio"),
            ("https://ae01.alicdn.com/kf/S4438bcf7f8cb4bff8cc7140cce209afdJ/Baofeng-Walkie-Talkie-UV-5R-5W-8W-doble-banda-de-radio-de-dos-v-as-Vhf.jpg", "Color", "5W-771"),
            ("https://ae01.alicdn.com/kf/Scabe4b344b8b4e3ca6f14437d4945b74D/Baofeng-Walkie-Talkie-UV-5R-5W-8W-doble-banda-de-radio-de-dos-v-as-Vhf.jpg", "Color", "5W-mic"),
            ("https://ae01.alicdn.com/kf/S39455fb992214acab892495d4de232eaC/Baofeng-Walkie-Talkie-UV-5R-5W-8W-doble-banda-de-radio-de-dos-v-as-Vhf.jpg", "Color", "5W- cable"),
            ("https://ae01.alicdn.com/kf/S954e989c4543443f852f0dd82ac14724X/Baofeng-Walkie-Talkie-UV-5R-5W-8W-doble-banda-de-radio-de-dos-v-as-Vhf.jpg", "Color", "8W-radio"),
            ("https://ae01.alicdn.com/kf/Sa96c6ff84bc84091ad41a8fa7fbdd03eA/Baofeng-Walkie-Talkie-UV-5R-5W-8W-doble-banda-de-radio-de-dos-v-as-Vhf.jpg", "Color", "8W-771"),
            ("https://ae01.alicdn.com/kf/S71534661fb6e4bd49852a0ddd3a3664am/Baofeng-Walkie-Talkie-UV-5R-5W-8W-doble-banda-de-radio-de-dos-v-as-Vhf.jpg", "Color", "8W-mic"),
            ("https://ae01.alicdn.com/kf/Sb0ee7d3def844a10a0c47a3a5c6086fav/Baofeng-Walkie-Talkie-UV-5R-5W-8W-doble-banda-de-radio-de-dos-v-as-Vhf.jpg", "Color", "8W- cable"),
        ],
        video: None,
    },
    EraB {
        id: "1005005714394639",
        title: "NNBILI-Cable USB magnético giratorio 540, Cable tipo C de carga rápida para Samsung, carga magnética, Cable Micro USB, Cable de datos para teléfono móvil",
        shop: "NNBILI Global Store",
        gallery: &[
            "https://ae01.alicdn.com/kf/S3107ebdeceb8435c90d7e4b65d80b554e/NNBILI-Cable-USB-magn-tico-giratorio-540-Cable-tipo-C-de-carga-r-pida-para-Samsung.jpg",
            "https://ae01.alicdn.com/kf/S973a7dd2fdcf476fa7dd6db9e1f6e4626/NNBILI-Cable-USB-magn-tico-giratorio-540-Cable-tipo-C-de-carga-r-pida-para-Samsung.jpg",
            "https://ae01.alicdn.com/kf/S7fb6d3190eaf478bbcee2beb797ef4dfH/NNBILI-Cable-USB-magn-tico-giratorio-540-Cable-tipo-C-de-carga-r-pida-para-Samsung.jpg",
            "https://ae01.alicdn.com/kf/S597a8d3e611141108b5b3119b3c027a8U/NNBILI-Cable-USB-magn-tico-giratorio-540-Cable-tipo-C-de-carga-r-pida-para-Samsung.jpg",
            "https://ae01.alicdn.com/kf/Sf731da1b9673451aabc29640df8199e5C/NNBILI-Cable-USB-magn-tico-giratorio-540-Cable-tipo-C-de-carga-r-pida-para-Samsung.jpg",
            "https://ae01.alicdn.com/kf/S1ce2a1f64c734a39ad3f27ed926ba0d3t/NNBILI-Cable-USB-magn-tico-giratorio-540-Cable-tipo-C-de-carga-r-pida-para-Samsung.jpg",
        ],
        variants: &[
            ("https://ae01.alicdn.com/kf/Sfd1523ab55cf43cf811fe4f1a295f6fft/NNBILI-Cable-USB-magn-tico-giratorio-540-Cable-tipo-C-de-carga-r-pida-para-Samsung.jpg", "Color", "Only Micro USB plug"),
            ("https://ae01.alicdn.com/kf/S4b13c4e4267c4deeb7015583f390daf0k/NNBILI-Cable-USB-magn-tico-giratorio-540-Cable-tipo-C-de-carga-r-pida-para-Samsung.jpg", "Color", "Only Type C plug"),
            ("https://ae01.alicdn.com/kf/S32027ba65336421b8c460e95419aeee9U/NNBILI-Cable-USB-magn-tico-giratorio-540-Cable-tipo-C-de-carga-r-pida-para-Samsung.jpg", "Color", "Only For iPhone plug"),
            ("https://ae01.alicdn.com/kf/Sf0ec4145d23d47a0a185c9a19e6ebfc4N/NNBILI-Cable-USB-magn-tico-giratorio-540-Cable-tipo-C-de-carga-r-pida-para-Samsung.jpg", "Color", "Only Cable Black"),
            ("https://ae01.alicdn.com/kf/S4259b74b37a2457891396415d81ead9dX/NNBILI-Cable-USB-magn-tico-giratorio-540-Cable-tipo-C-de-carga-r-pida-para-Samsung.jpg", "Color", "Black Micro USB"),
            ("https://ae01.alicdn.com/kf/Sa24b8cce766f4552867578a5b34bb24bW/NNBILI-Cable-USB-magn-tico-giratorio-540-Cable-tipo-C-de-carga-r-pida-para-Samsung.jpg", "Color", "Black Type C"),
            ("https://ae01.alicdn.com/kf/Sd1ef9fa481044dfc893263d17dfca621g/NNBILI-Cable-USB-magn-tico-giratorio-540-Cable-tipo-C-de-carga-r-pida-para-Samsung.jpg", "Color", "Black For iPhone"),
            ("https://ae01.alicdn.com/kf/Se20a2e0db0024b06831ca5eab72d0adfU/NNBILI-Cable-USB-magn-tico-giratorio-540-Cable-tipo-C-de-carga-r-pida-para-Samsung.jpg", "Color", "Black 3 in 1"),
            ("https://ae01.alicdn.com/kf/S234d5a4e8e074deb9eabf449eb73a8cbX/NNBILI-Cable-USB-magn-tico-giratorio-540-Cable-tipo-C-de-carga-r-pida-para-Samsung.jpg", "Color", "Only Cable RED"),
            ("https://ae01.alicdn.com/kf/S6745d04f939348acb7888b0710dfe9e9H/NNBILI-Cable-USB-magn-tico-giratorio-540-Cable-tipo-C-de-carga-r-pida-para-Samsung.jpg", "Color", "RED Micro USB"),
            ("https://ae01.alicdn.com/kf/Sd761f9b38347461bb1c84105e9b158eb1/NNBILI-Cable-USB-magn-tico-giratorio-540-Cable-tipo-C-de-carga-r-pida-para-Samsung.jpg", "Color", "RED Type C"),
            ("https://ae01.alicdn.com/kf/S99e9e46ec1734694928217b5b8de4a62y/NNBILI-Cable-USB-magn-tico-giratorio-540-Cable-tipo-C-de-carga-r-pida-para-Samsung.jpg", "Color", "RED For iPhone"),
            ("https://ae01.alicdn.com/kf/S99910723f81c4df6b0a097a7a1adb2af3/NNBILI-Cable-USB-magn-tico-giratorio-540-Cable-tipo-C-de-carga-r-pida-para-Samsung.jpg", "Color", "RED 3 in 1"),
        ],
        video: None,
    },
    EraB {
        id: "1005005913925017",
        title: "Zapatillas de correr transpirables para mujer, zapatos deportivos ligeros antideslizantes para mujer, zapatillas suaves para exteriores, tenis de moda con cordones",
        shop: "Kitleler SportShoes Store",
        gallery: &[
            "https://ae01.alicdn.com/kf/Sddaa2436f96b4e6483be3a94dd6e64f03/Zapatillas-de-correr-transpirables-para-mujer-zapatos-deportivos-ligeros-antideslizantes-para-mujer-zapatillas-suaves-para-exteriores.jpg",
            "https://ae01.alicdn.com/kf/S25c91e5bf67c4f528a48b1e86ab16d87o/Zapatillas-de-correr-transpirables-para-mujer-zapatos-deportivos-ligeros-antideslizantes-para-mujer-zapatillas-suaves-para-exteriores.jpg",
            "https://ae01.alicdn.com/kf/S4982b3eeec634466a4c8bd81887e3187h/Zapatillas-de-correr-transpirables-para-mujer-zapatos-deportivos-ligeros-antideslizantes-para-mujer-zapatillas-suaves-para-exteriores.jpg",
            "https://ae01.alicdn.com/kf/S3b2c64c2fa5a4d1ab9eabf4eeaaf96de9/Zapatillas-de-correr-transpirables-para-mujer-zapatos-deportivos-ligeros-antideslizantes-para-mujer-zapatillas-suaves-para-exteriores.jpg",
            "https://ae01.alicdn.com/kf/S29e8d24aa3cd47b88250add16277ae77v/Zapatillas-de-correr-transpirables-para-mujer-zapatos-deportivos-ligeros-antideslizantes-para-mujer-zapatillas-suaves-para-exteriores.jpg",
            "https://ae01.alicdn.com/kf/Se504b29a83a548b9bf25ad6a90c98de2j/Zapatillas-de-correr-transpirables-para-mujer-zapatos-deportivos-ligeros-antideslizantes-para-mujer-zapatillas-suaves-para-exteriores.jpg",
        ],
        variants: &[
            ("https://ae01.alicdn.com/kf/S5fb61030314c4153b4bcdf26214d9d26x/Zapatillas-de-correr-transpirables-para-mujer-zapatos-deportivos-ligeros-antideslizantes-para-mujer-zapatillas-suaves-para-exteriores.jpg", "Color", "Black Rose Red"),
            ("https://ae01.alicdn.com/kf/Sf01789cfecd144dba7e2853015fa7a4e1/Zapatillas-de-correr-transpirables-para-mujer-zapatos-deportivos-ligeros-antideslizantes-para-mujer-zapatillas-suaves-para-exteriores.jpg", "Color", "Negro"),
            ("https://ae01.alicdn.com/kf/Sbb7c33de082040c2ac4cedf825bc57bdg/Zapatillas-de-correr-transpirables-para-mujer-zapatos-deportivos-ligeros-antideslizantes-para-mujer-zapatillas-suaves-para-exteriores.jpg", "Color", "Rosa"),
        ],
        video: None,
    },
    EraB {
        id: "1005006016288213",
        title: "Reloj inteligente deportivo para hombre y mujer, pulsera Digital con pantalla táctil de 1,44 pulgadas, Bluetooth, llamadas",
        shop: "SIMSON Choice Store",
        gallery: &[
            "https://ae01.alicdn.com/kf/S1b36ae9b83574e6a975f671d54f9d549J/Reloj-inteligente-deportivo-para-hombre-y-mujer-pulsera-Digital-con-pantalla-t-ctil-de-1-44.jpg",
            "https://ae01.alicdn.com/kf/S3a32b4d0ceca40908eac9c959fe95d54S/Reloj-inteligente-deportivo-para-hombre-y-mujer-pulsera-Digital-con-pantalla-t-ctil-de-1-44.jpg",
            "https://ae01.alicdn.com/kf/Sfe34b7fc4e9d4119a1169b962befb03cP/Reloj-inteligente-deportivo-para-hombre-y-mujer-pulsera-Digital-con-pantalla-t-ctil-de-1-44.jpg",
            "https://ae01.alicdn.com/kf/Sa3ba9d3c2b3040f7b79d4594514d2dd3j/Reloj-inteligente-deportivo-para-hombre-y-mujer-pulsera-Digital-con-pantalla-t-ctil-de-1-44.jpeg",
            "https://ae01.alicdn.com/kf/Sfe01f1745d5245baa98e58650500e521P/Reloj-inteligente-deportivo-para-hombre-y-mujer-pulsera-Digital-con-pantalla-t-ctil-de-1-44.jpg",
            "https://ae01.alicdn.com/kf/S78a2e7ff644d48b48c62e5f2a4896675c/Reloj-inteligente-deportivo-para-hombre-y-mujer-pulsera-Digital-con-pantalla-t-ctil-de-1-44.jpeg",
        ],
        variants: &[
            ("https://ae01.alicdn.com/kf/Sb55e90519d614111a5c365822a9922c39/Reloj-inteligente-deportivo-para-hombre-y-mujer-pulsera-Digital-con-pantalla-t-ctil-de-1-44.jpg", "Color", "Black"),
            ("https://ae01.alicdn.com/kf/S827fe59992db4553891b3fba6ec9b7d3N/Reloj-inteligente-deportivo-para-hombre-y-mujer-pulsera-Digital-con-pantalla-t-ctil-de-1-44.jpg", "Color", "Pink"),
            ("https://ae01.alicdn.com/kf/S2afc5aebcd4b463e904251f54ceee4e0J/Reloj-inteligente-deportivo-para-hombre-y-mujer-pulsera-Digital-con-pantalla-t-ctil-de-1-44.jpg", "Color", "silver"),
            ("https://ae01.alicdn.com/kf/S257998ed8e914d92a3a86a6a27c7bc511/Reloj-inteligente-deportivo-para-hombre-y-mujer-pulsera-Digital-con-pantalla-t-ctil-de-1-44.jpg", "Color", "Gold"),
            ("https://ae01.alicdn.com/kf/S2d8b437ce07a4084a416591b96505bd5T/Reloj-inteligente-deportivo-para-hombre-y-mujer-pulsera-Digital-con-pantalla-t-ctil-de-1-44.jpg", "Color", "mesh steel Gold"),
            ("https://ae01.alicdn.com/kf/S89636a1692594509a887bb84c7da1f6ex/Reloj-inteligente-deportivo-para-hombre-y-mujer-pulsera-Digital-con-pantalla-t-ctil-de-1-44.jpg", "Color", "mesh steel silver"),
            ("https://ae01.alicdn.com/kf/S3062cc9d2bde43e5bc369e8cb4d23d21M/Reloj-inteligente-deportivo-para-hombre-y-mujer-pulsera-Digital-con-pantalla-t-ctil-de-1-44.jpg", "Color", "mesh steel pink"),
            ("https://ae01.alicdn.com/kf/S7da6f0b9ed3a49b79ddac875757f44f7l/Reloj-inteligente-deportivo-para-hombre-y-mujer-pulsera-Digital-con-pantalla-t-ctil-de-1-44.jpg", "Color", "mesh steel Black"),
        ],
        video: Some("https://video.aliexpress-media.com/play/u/ae_sg_item/2215714453275/p/1/e/6/t/10301/1100180325614.mp4"),
    },
    EraB {
        id: "1005006427599086",
        title: "Cargador inalámbrico multifunción, soporte de altavoz, TF, RGB, luz nocturna, 15W, estación de carga rápida para iPhone, Samsung, Xiaomi, Huawei",
        shop: "Original Smart Watch Factory Direct Collected Store",
        gallery: &[
            "https://ae01.alicdn.com/kf/S2a9d51bbb6794bd79b9232ad1703e147m/Cargador-inal-mbrico-multifunci-n-soporte-de-altavoz-TF-RGB-luz-nocturna-15W-estaci-n-de.jpg",
            "https://ae01.alicdn.com/kf/S048c2bdca69d4e0e950ee427eb759692n/Cargador-inal-mbrico-multifunci-n-soporte-de-altavoz-TF-RGB-luz-nocturna-15W-estaci-n-de.jpg",
            "https://ae01.alicdn.com/kf/S5ea2bf146bba4306abc23f8e6d84c87am/Cargador-inal-mbrico-multifunci-n-soporte-de-altavoz-TF-RGB-luz-nocturna-15W-estaci-n-de.jpg",
            "https://ae01.alicdn.com/kf/Se6186be33a624a60aec22e65e5025147q/Cargador-inal-mbrico-multifunci-n-soporte-de-altavoz-TF-RGB-luz-nocturna-15W-estaci-n-de.jpg",
            "https://ae01.alicdn.com/kf/S85f2477c247b449aaad880c10adcf0e55/Cargador-inal-mbrico-multifunci-n-soporte-de-altavoz-TF-RGB-luz-nocturna-15W-estaci-n-de.jpg",
            "https://ae01.alicdn.com/kf/S8d8d18696a5d458494bea72eb8b8a3e6M/Cargador-inal-mbrico-multifunci-n-soporte-de-altavoz-TF-RGB-luz-nocturna-15W-estaci-n-de.jpg",
        ],
        variants: &[
            ("https://ae01.alicdn.com/kf/S41da2952415d4bdd9929860ffb242a11t/Cargador-inal-mbrico-multifunci-n-soporte-de-altavoz-TF-RGB-luz-nocturna-15W-estaci-n-de.jpg", "Color", "White"),
        ],
        video: None,
    },
];

#[test]
fn era_b_real_airvzxf_items_synthetic_wrapper() {
    for want in ERA_B {
        let js = fixture(&format!(
            "airvzxf-web-browser-extension-alienhanced/item-{}.js",
            want.id
        ));
        let html = format!("<html><head><script>{js}</script></head><body></body></html>");
        let url = format!("https://es.aliexpress.com/item/{}.html", want.id);
        let inv = run(&url, &html, &[]);
        check_invariants(&inv);
        assert_eq!(inv.product_id, want.id);
        assert_eq!(inv.title.as_deref(), Some(want.title), "{}", want.id);
        assert_eq!(inv.shop.as_deref(), Some(want.shop), "{}", want.id);
        assert_eq!(inv.locale.as_deref(), Some("es_ES"));
        assert_eq!(urls(&inv, MediaKind::Gallery), want.gallery, "{}", want.id);
        assert_eq!(variants(&inv), want.variants, "{}", want.id);
        assert_eq!(urls(&inv, MediaKind::Description), Vec::<&str>::new());
        let video: Vec<&MediaItem> = inv.of_kind(MediaKind::Video).collect();
        assert_eq!(
            video.iter().map(|v| v.url.as_str()).collect::<Vec<_>>(),
            want.video.into_iter().collect::<Vec<_>>()
        );
        for v in video {
            // Poster = first gallery image.
            assert_eq!(v.poster.as_deref(), want.gallery.first().copied());
        }
        assert_eq!(
            inv.items.len(),
            want.gallery.len() + want.variants.len() + usize::from(want.video.is_some())
        );
        assert!(inv.warnings.is_empty(), "{}: {:?}", want.id, inv.warnings);
    }
}

#[test]
fn era_b_counts_match_provenance_table() {
    let table: [(&str, usize, usize, bool); 7] = [
        ("1005002724686123", 6, 6, true),
        ("1005004787627817", 6, 11, true),
        ("1005005424987520", 6, 8, false),
        ("1005005714394639", 6, 13, false),
        ("1005005913925017", 6, 3, false),
        ("1005006016288213", 6, 8, true),
        ("1005006427599086", 6, 1, false),
    ];
    for (id, g, v, video) in table {
        let want = ERA_B.iter().find(|e| e.id == id).expect("listed");
        assert_eq!(
            (
                want.gallery.len(),
                want.variants.len(),
                want.video.is_some()
            ),
            (g, v, video),
            "{id}"
        );
    }
}

#[test]
fn era_b_no_promo_logo_or_icon_urls() {
    // Every alicdn URL in the dump that is not gallery/SKU media (banners,
    // store logo, assurance icons…) must stay out of the inventory.
    let id = "1005005913925017";
    let js = fixture(&format!(
        "airvzxf-web-browser-extension-alienhanced/item-{id}.js"
    ));
    let html = format!("<html><head><script>{js}</script></head><body></body></html>");
    let inv = run(
        &format!("https://es.aliexpress.com/item/{id}.html"),
        &html,
        &[],
    );
    let mut other = 0;
    for piece in js.split('"') {
        if let Some(u) = alisave_core::url::original_url(piece) {
            let key = alisave_core::url::cdn_key(&u);
            if !inv.items.iter().any(|i| i.key == key) {
                other += 1;
            }
        }
    }
    assert!(
        other > 10,
        "the dump has many non-media CDN images ({other})"
    );
    assert_eq!(inv.items.len(), 6 + 3);
}

// ---------------------------------------------------------------------------
// aliexpress.ru: real #__AER_DATA__ props and description fragments, placed
// in a synthetic page.

fn aer_page(props_json: &str, decoy_id: &str, content_anchor: &str) -> String {
    // The real props node sits a few levels down a synthetic widget tree,
    // after a decoy widget of another item that also has a gallery.
    let tree = format!(
        r#"{{"widgets":[{{"widgetId":"header","props":{{}},"children":[]}},{{"widgetId":"layout","uuid":"u1","children":[{{"widgetId":"recommend","props":{{"id":"{decoy_id}","gallery":[{{"imageUrl":"https://ae04.alicdn.com/kf/Sdecoy000000000000000000000000000.jpg","videoUrl":null}}]}}}},{{"widgetId":"col","children":[{{"widgetId":"grid","state":{{"data":null}},"children":[{props_json}]}}]}}]}}]}}"#
    );
    format!(
        r#"<!DOCTYPE html><html lang="ru"><head><title>x</title></head><body><div id="__aer_root__"></div><script id="__AER_DATA__" type="application/json">{tree}</script><script src="https://st.aestatic.net/mixer/ssr/1/aer-assets/system.js"></script><div class="x"><div id="content_anchor">{content_anchor}</div></div></body></html>"#
    )
}

#[test]
fn aer_real_gallery_with_video_and_description_synthetic_wrapper() {
    let props = fixture("IarBest-Aliexpress-to-AI/gallery-1005008195850531.json");
    let desc: serde_json::Value = serde_json::from_str(&fixture(
        "IarBest-Aliexpress-to-AI/description-1005008195850531.json",
    ))
    .expect("json");
    let frags = format!(
        "{}{}",
        desc["fragments"]["textWithBreaks"].as_str().expect("str"),
        desc["fragments"]["textThenImages"].as_str().expect("str")
    );
    let html = aer_page(&props, "1005000000000001", &frags);
    let inv = run(
        "https://aliexpress.ru/item/1005008195850531.html",
        &html,
        &[],
    );
    check_invariants(&inv);
    assert_eq!(inv.platform, Some(Platform::AliExpressRu));
    assert_eq!(inv.product_id, "1005008195850531");
    assert_eq!(
        inv.title.as_deref(),
        Some("ZIGBEE Smart Switch AC DC7-32V 85-250V Dry Contact Module Inching Self-Locking Relay Home Automation Timer Works with Tuya Alexa")
    );
    assert_eq!(
        urls(&inv, MediaKind::Gallery),
        [
            "https://ae-pic-a1.aliexpress-media.com/kf/Scd5c76fadd664a5d8d12e6b8b4a11acbD.jpg",
            "https://ae-pic-a1.aliexpress-media.com/kf/Sa7971bba29d84dd9bc999954d8e11054Q.png",
            "https://ae-pic-a1.aliexpress-media.com/kf/Sd99075a326fe4a4480828e1990cf4328X.jpg",
            "https://ae-pic-a1.aliexpress-media.com/kf/S7952b1f36aec4bf386b32ca9314fddb62.jpg",
            "https://ae-pic-a1.aliexpress-media.com/kf/Sb510027ae8564281813e5d36a2c64fabq.jpg",
            "https://ae-pic-a1.aliexpress-media.com/kf/Sd6f26cea218141799d5dcbdbe7db9fd0n.jpg",
        ]
    );
    let videos: Vec<&MediaItem> = inv.of_kind(MediaKind::Video).collect();
    assert_eq!(videos.len(), 1);
    assert_eq!(
        videos[0].url,
        "https://video.aliexpress-media.com/play/u/ae_sg_item/p/1/e/6/t/10301/5000454646732.mp4"
    );
    assert_eq!(
        videos[0].poster.as_deref(),
        Some("https://ae-pic-a1.aliexpress-media.com/kf/S0eab51705bf14f4fb4e86dccb88feb41a.jpg")
    );
    assert_eq!(
        urls(&inv, MediaKind::Description),
        [
            "https://ae-pic-a1.aliexpress-media.com/kf/Sd3f1cd17283f4554921409f61afcb6fal.jpg",
            "https://ae-pic-a1.aliexpress-media.com/kf/S4fecc555ec0c4cf4a397613ed18e91fbM.jpg",
        ]
    );
    assert_eq!(inv.items.len(), 6 + 2 + 1);
    assert!(inv.items.iter().all(|i| !i.url.contains("decoy")));
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
}

#[test]
fn aer_real_gallery_images_only_synthetic_wrapper() {
    let props = fixture("IarBest-Aliexpress-to-AI/gallery-1005005933779962.json");
    let html = aer_page(&props, "1005000000000002", "");
    let inv = run(
        "https://aliexpress.ru/item/1005005933779962.html?sku_id=1",
        &html,
        &[],
    );
    check_invariants(&inv);
    assert_eq!(inv.product_id, "1005005933779962");
    let want: Vec<String> = serde_json::from_str::<serde_json::Value>(&props).expect("json")
        ["props"]["gallery"]
        .as_array()
        .expect("array")
        .iter()
        .map(|g| g["imageUrl"].as_str().expect("str").to_string())
        .collect();
    assert_eq!(want.len(), 6);
    assert_eq!(urls(&inv, MediaKind::Gallery), want);
    assert_eq!(inv.items.len(), 6);
}

#[test]
fn aer_real_description_fragment_synthetic_wrapper() {
    let desc: serde_json::Value = serde_json::from_str(&fixture(
        "IarBest-Aliexpress-to-AI/description-1005009452926938.json",
    ))
    .expect("json");
    let frag = desc["fragment"].as_str().expect("str");
    let html = aer_page(
        r#"{"props":{"id":"1005009452926938","name":"Dress","gallery":[]}}"#,
        "1",
        frag,
    );
    let inv = run(
        "https://aliexpress.ru/item/1005009452926938.html",
        &html,
        &[],
    );
    check_invariants(&inv);
    assert_eq!(
        urls(&inv, MediaKind::Description),
        [
            "https://ae-pic-a1.aliexpress-media.com/kf/A8c93a20945fd4085826f8d7f9729865dp.jpg",
            "https://ae-pic-a1.aliexpress-media.com/kf/S00c78b5928944a95939ffd7adb2e405d0.png",
            "https://ae-pic-a1.aliexpress-media.com/kf/Sae4a297f1d354978936186c7ece081f9k.png",
            "https://ae-pic-a1.aliexpress-media.com/kf/S660925d5ba0f4fbfbf008de92b34655dG.png",
        ]
    );
    assert_eq!(urls(&inv, MediaKind::Gallery), Vec::<&str>::new());
}

#[test]
fn aer_real_product_data_documents_have_no_images() {
    // The real minimised productData responses carry SKU structure only
    // (images removed): reading them must not invent media or warn.
    for id in ["1005008195850531", "1005009452926938"] {
        let body = fixture(&format!("IarBest-Aliexpress-to-AI/product-{id}.json"));
        let docs = [Document {
            url: format!("https://aliexpress.ru/aer-jsonapi/v1/bx/pdp/web/productData?productId={id}&sourceId=0&sku_id=0"),
            body,
        }];
        let inv = run(
            &format!("https://aliexpress.ru/item/{id}.html"),
            "<html></html>",
            &docs,
        );
        check_invariants(&inv);
        assert!(inv.items.is_empty(), "{id}");
        assert!(inv.title.is_some(), "{id}");
        assert!(
            inv.warnings.iter().all(|w| w.code == "no_gallery"),
            "{id}: {:?}",
            inv.warnings
        );
    }
}

#[test]
fn aer_real_product_data_variant_images() {
    // The full productData response (SZhukovWork), as the XHR body: 3 colour
    // values with `imageMainUrl` (`…jpg_640x640.jpg` → original), value names
    // from `displayName`, axis from the property; the 4 capacity values are
    // text (`null` images). No gallery in this response (§9.1).
    let id = "1005011877521176";
    let docs = [Document {
        url: format!("https://aliexpress.ru/aer-jsonapi/v1/bx/pdp/web/productData?productId={id}&sourceId=0&sku_id=0"),
        body: fixture("SZhukovWork-aliexpress-ru-mcp/product_1005011877521176.json"),
    }];
    let inv = run(
        &format!("https://aliexpress.ru/item/{id}.html"),
        "<html></html>",
        &docs,
    );
    check_invariants(&inv);
    assert_eq!(inv.platform, Some(Platform::AliExpressRu));
    assert_eq!(inv.product_id, id);
    assert_eq!(
        inv.title.as_deref(),
        Some("Сертифицированный 3C внешний аккумулятор 80000 мАч 120 Вт с супербыстрой зарядкой и цифровым дисплеем, портативный, для iPhone и Xiaomi")
    );
    assert_eq!(
        variants(&inv),
        [
            (
                "https://ae-pic-a1.aliexpress-media.com/kf/Sd0521d05c0e942e0ad11c9e806b9453cc.jpg",
                "Цвет",
                "БЕЛЫЙ"
            ),
            (
                "https://ae-pic-a1.aliexpress-media.com/kf/Scd7457928c954ce1af06442ce8e5246d7.jpg",
                "Цвет",
                "BLACK"
            ),
            (
                "https://ae-pic-a1.aliexpress-media.com/kf/Seee995d5cdbb45719cb3463bf1812b84J.jpg",
                "Цвет",
                "BLACK-1"
            ),
        ]
    );
    assert_eq!(inv.items.len(), 3);
    assert_eq!(common::codes(&inv), ["no_gallery"], "{:?}", inv.warnings);
}

// ---------------------------------------------------------------------------
// Era D: the real mtop pdp.pc.query response (autostep8n), a synthetic shell.

const MTOP_ID: &str = "1005012410104961";
const MTOP_URL: &str = "https://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/?jsv=2.5.1&appKey=12574478&t=1787672734000&sign=abc&api=mtop.aliexpress.pdp.pc.query&v=1.0&type=originaljsonp&dataType=jsonp&callback=mtopjsonp1&data=%7B%22productId%22%3A%221005012410104961%22%7D";
const ERA_D_SHELL: &str = "<html><head><script>window.runParams = {\n            };\nwindow._d_c_ = window._d_c_ || {};\nwindow._d_c_.isCSR = true;</script></head><body><div id=\"root\"></div></body></html>";

const ERA_D_GALLERY: [&str; 6] = [
    "https://ae-pic-a1.aliexpress-media.com/kf/S9e0501832f6b49698d4502e004a3a390a.jpeg",
    "https://ae-pic-a1.aliexpress-media.com/kf/S7b965c693b1c4ae09e1b81ff9e73181aA.jpg",
    "https://ae-pic-a1.aliexpress-media.com/kf/S53722e550ca34479917a9e512f49ca0eE.jpg",
    "https://ae-pic-a1.aliexpress-media.com/kf/S82e89fc5eb7e4f4f8907f0ebb2991a14y.jpg",
    "https://ae-pic-a1.aliexpress-media.com/kf/S5c30a55abc14497cbd9f455a749d0611z.jpg",
    "https://ae-pic-a1.aliexpress-media.com/kf/Sbf7bc6d16f4347dba507db08401e2db0r.jpg",
];

const ERA_D_VARIANTS: [(&str, &str, &str); 2] = [
    (
        "https://ae-pic-a1.aliexpress-media.com/kf/S69dc17c5a0dd459f8787309d2e3fdbf7z.jpg",
        "Warna",
        "WHITE",
    ),
    (
        "https://ae-pic-a1.aliexpress-media.com/kf/S176cea8a868b4e2f9504f65e0cb449a2z.jpg",
        "Warna",
        "Abu-abu",
    ),
];

const ERA_D_VIDEO: &str =
    "https://video.aliexpress-media.com/play/u/ae_sg_item/3000907970075/p/1/e/6/t/10301/5000515334963.mp4";

const ERA_D_DESC_URL: &str = "https://pdp.aliexpress-media.com/product/description/pc/v2/in_ID/desc.htm?productId=1005012410104961&key=S573b5640f2354980b033586f765627438.zip&token=46d1086370f2eb7d0ab8669db5c67793&sellerId=6000276075";

/// Every string of a JSON value, depth first.
fn json_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_strings(x, out)),
        serde_json::Value::Object(m) => m.values().for_each(|x| json_strings(x, out)),
        _ => {}
    }
}

/// Every CDN media URL in a JSON fixture whose key is not in the inventory.
fn cdn_urls_left_out(fixture_json: &str, inv: &Inventory) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(fixture_json).expect("json");
    let mut all = Vec::new();
    json_strings(&v, &mut all);
    all.into_iter()
        .filter_map(|s| alisave_core::url::original_url(&s))
        .filter(|u| {
            let k = alisave_core::url::cdn_key(u);
            inv.items.iter().all(|i| i.key != k)
        })
        .collect()
}

#[test]
fn era_d_real_mtop_response_plain_and_jsonp_synthetic_shell() {
    use alisave_core::extract::{extract_with_needs, PageInput};
    let body = fixture("autostep8n-lang-aliexpress-scraper-cloudflare/aliexpress-mtop-real.json");
    let page = format!("https://www.aliexpress.com/item/{MTOP_ID}.html");
    for wrapped in [body.clone(), format!("mtopjsonp1({body})")] {
        let docs = [Document {
            url: MTOP_URL.into(),
            body: wrapped,
        }];
        let (inv, needs) = extract_with_needs(&PageInput {
            url: &page,
            html: ERA_D_SHELL,
            documents: &docs,
        });
        check_invariants(&inv);
        assert_eq!(inv.platform, Some(Platform::AliExpress));
        assert_eq!(inv.product_id, MTOP_ID);
        assert_eq!(
            inv.title.as_deref(),
            Some("1 Buah Sisir Pelurus Rambut Portabel 2600mAh, Perlengkapan Asrama, Dua Fungsi Pelurus & Pengeriting, Tidak Merusak, Nirkabel, Ion Negatif")
        );
        assert_eq!(inv.shop.as_deref(), Some("Shop1103920178 Store"));
        assert_eq!(inv.locale.as_deref(), Some("in_ID"));
        assert_eq!(urls(&inv, MediaKind::Gallery), ERA_D_GALLERY);
        assert_eq!(variants(&inv), ERA_D_VARIANTS);
        assert_eq!(urls(&inv, MediaKind::Description), Vec::<&str>::new());
        let videos: Vec<&MediaItem> = inv.of_kind(MediaKind::Video).collect();
        assert_eq!(videos.len(), 1);
        assert_eq!(videos[0].url, ERA_D_VIDEO);
        assert_eq!(
            videos[0].poster.as_deref(),
            Some(
                "https://ae-pic-a1.aliexpress-media.com/kf/S11521e789ab9483796e786e1252fc47eB.jpg"
            )
        );
        assert_eq!(inv.items.len(), 6 + 2 + 1);
        // The description is by URL only (`DESC.pcDescUrl`), asked for once.
        assert_eq!(needs, [ERA_D_DESC_URL]);
        assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
        // Nothing from the not-media list (PROVENANCE): the PDF manual,
        // PRICE_BANNER background/slogan, SHOP_CARD_PC.logo, MIND, the choice
        // icon, SHIPPING/AFTER_SALE/COUPON/BOTTOM_BAR icons, the SKU size-chart
        // icon; every one of them is a CDN URL the extractor saw and left out.
        let left: Vec<String> = cdn_urls_left_out(&body, &inv)
            .iter()
            .map(|u| alisave_core::url::cdn_key(u))
            .collect();
        for k in ERA_D_NOT_MEDIA {
            assert!(left.iter().any(|l| l == k), "{k} is in the response");
            assert!(
                inv.items.iter().all(|i| i.key != k),
                "{k} must not be media"
            );
        }
        assert!(inv.items.iter().all(|i| !i.url.contains(".pdf")));
    }
}

/// Keys of CDN images in the real mtop response that are not product media.
const ERA_D_NOT_MEDIA: [&str; 9] = [
    "kf:Se90fceedf9d34ad1a8979283c98a1e45I", // SHOP_CARD_PC.logo
    "kf:S7561f032cdd24ed981e2294ac70dda20g", // PRICE_BANNER background
    "kf:Sb14bac5153464befb7b5cfe72c25bad8I", // PRICE_BANNER slogan
    "kf:Se77f95348d5f4c2cb16e3cab23c48f9ee", // MIND.bgImage
    "kf:Sd0319ac189e74bfeada4437630b1e37aS", // globalData.choiceIcon
    "kf:S9e723ca0d10848499e4e3fb33be2224do", // SHIPPING.icon
    "kf:Sa6dfa4ec1ae34f9aad15fc579d3c8bf2T", // COUPON_BLOCK_PC icon
    "kf:S1a4260465a2f4f8eb24f56766a46f27d2", // BOTTOM_BAR_PC store icon
    "kf:Sbc534a10bc2044448f9aa271540236800", // SKU sizeInfo.icon
];

#[test]
fn era_d_real_mtop_response_of_another_product_is_dropped_synthetic_shell() {
    use alisave_core::extract::{extract_with_needs, PageInput};
    let body = fixture("autostep8n-lang-aliexpress-scraper-cloudflare/aliexpress-mtop-real.json");
    let page = "https://www.aliexpress.com/item/1005000000000001.html";
    // The mtop URL names no `productId=` parameter: the body's
    // GLOBAL_DATA.globalData.productId decides. The description document of
    // that product is dropped by its URL's `productId=`.
    let docs = [
        Document {
            url: MTOP_URL.into(),
            body: format!("mtopjsonp1({body})"),
        },
        Document {
            url: ERA_D_DESC_URL.into(),
            body: r#"<div class="detailmodule_html"><img src="https://ae-pic-a1.aliexpress-media.com/kf/Sdesc0000000000000000000000000001.jpg"></div>"#.into(),
        },
    ];
    let (inv, needs) = extract_with_needs(&PageInput {
        url: page,
        html: ERA_D_SHELL,
        documents: &docs,
    });
    check_invariants(&inv);
    assert!(inv.items.is_empty(), "{:?}", inv.items);
    assert_eq!(inv.title, None);
    assert_eq!(inv.shop, None);
    assert_eq!(inv.product_id, "1005000000000001");
    assert!(needs.is_empty(), "{needs:?}");
    let other: Vec<_> = inv
        .warnings
        .iter()
        .filter(|w| w.code == "document_other_product")
        .collect();
    assert_eq!(other.len(), 2, "{:?}", inv.warnings);
    // Said to the user once for that product.
    let said: Vec<_> = other.iter().filter_map(|w| w.say.as_ref()).collect();
    assert_eq!(said.len(), 1);
    assert_eq!(
        said[0].english(),
        "Data the shop loaded for another product (1005012410104961) was not used; this page shows product 1005000000000001."
    );
}

#[test]
fn aer_real_product_data_of_another_product_is_dropped() {
    let body = fixture("SZhukovWork-aliexpress-ru-mcp/product_1005011877521176.json");
    let page = "https://aliexpress.ru/item/1005000000000002.html";
    // By the request URL's productId, and by the body's data.id when the URL
    // names none.
    for url in [
        "https://aliexpress.ru/aer-jsonapi/v1/bx/pdp/web/productData?productId=1005011877521176&sourceId=0&sku_id=0",
        "https://aliexpress.ru/aer-jsonapi/v1/bx/pdp/web/productData?sourceId=0",
    ] {
        let docs = [Document {
            url: url.into(),
            body: body.clone(),
        }];
        let inv = run(page, "<html></html>", &docs);
        check_invariants(&inv);
        assert!(inv.items.is_empty(), "{url}");
        assert_eq!(inv.title, None, "{url}");
        assert_eq!(inv.product_id, "1005000000000002");
        let w: Vec<_> = inv
            .warnings
            .iter()
            .filter(|w| w.code == "document_other_product")
            .collect();
        assert_eq!(w.len(), 1, "{url}: {:?}", inv.warnings);
        assert_eq!(
            w[0].say.as_ref().map(|s| s.english()).as_deref(),
            Some("Data the shop loaded for another product (1005011877521176) was not used; this page shows product 1005000000000002.")
        );
    }
}

// ---------------------------------------------------------------------------
// Alibaba: the real 2026 detailData object (omkarcloud), synthetic wrapper.

const ALIBABA_ID: &str = "1600431053815";

const ALIBABA_GALLERY: [&str; 6] = [
    "https://sc04.alicdn.com/kf/H85348776ec434fb29279113f5b8d5640r.jpg",
    "https://sc04.alicdn.com/kf/Hb979e9a4acfb46be807a2b96ad6f3a07s.jpg",
    "https://sc04.alicdn.com/kf/Hb01cb25cdcf14c73ac12579d03db27a1I.jpg",
    "https://sc04.alicdn.com/kf/H11f16c39a16540a49acdc7eb8b745c64F.jpg",
    "https://sc04.alicdn.com/kf/H49b6ead9a48742a392aca0b43141a5ddt.jpg",
    "https://sc04.alicdn.com/kf/Hea708fa3c77b437b8b8bb108616356976.jpg",
];

const ALIBABA_VARIANTS: [(&str, &str, &str); 2] = [
    (
        "https://sc04.alicdn.com/kf/H4d8cbd32e7f74a8ea7974589f8b840b9W.jpg",
        "Color",
        "Gold",
    ),
    (
        "https://sc04.alicdn.com/kf/H408eb6d6e46841a0acae55b74e5e70dcC.jpg",
        "Color",
        "Steel",
    ),
];

const ALIBABA_DESCRIPTION: [&str; 6] = [
    "https://sc04.alicdn.com/kf/H39ff9d7b40734f769fc528b604038dacV.jpg",
    "https://sc04.alicdn.com/kf/H67b2f4bc899d4add987d6c1333bbf209g.jpg",
    "https://sc04.alicdn.com/kf/H5f68ad3da99c47b78de35a71f0e81194x.jpg",
    "https://sc04.alicdn.com/kf/Hc4a72ef40065407b8cab00e8e1050d04R.jpg",
    "https://sc04.alicdn.com/kf/Had82039d3aa74be095d862e09eefeb92Y.jpg",
    "https://sc04.alicdn.com/kf/Hef8e42650708477781261d71577763e2e.jpg",
];

/// The hd (H.264, 1280×720) rendition, exactly as `videoUrl.hd.videoUrl` names it.
const ALIBABA_VIDEO: &str = "https://gv.videocdn.alibaba.com/4f4e1c368ac918af/3ee9a7f5d0058d62/20230317_1b582b32489f25b3_402097114017_mp4_264_hd_unlimit_taobao.mp4?bizCode=icbu_vod_video";

#[test]
fn alibaba_real_detail_data_synthetic_wrapper() {
    let json = fixture("omkarcloud-alibaba-scraper/pdp_1600431053815_sku_priced.json");
    let html = format!(
        "<html><head><script>window.detailData = {json};</script></head><body><div id=\"root\"></div></body></html>"
    );
    let inv = run(
        &format!("https://www.alibaba.com/product-detail/Right-Grand-New-Fashion-Female-CZ_{ALIBABA_ID}.html"),
        &html,
        &[],
    );
    check_invariants(&inv);
    assert_eq!(inv.platform, Some(Platform::Alibaba));
    assert_eq!(inv.product_id, ALIBABA_ID);
    assert_eq!(
        inv.title.as_deref(),
        Some("Right Grand New Fashion Female CZ Zircon Stainless Steel Jewelry 18k Gold Plated Butterfly Necklace")
    );
    assert_eq!(
        inv.shop.as_deref(),
        Some("Shenzhen Right Grand Jewelry Co., Ltd.")
    );
    assert_eq!(urls(&inv, MediaKind::Gallery), ALIBABA_GALLERY);
    assert_eq!(variants(&inv), ALIBABA_VARIANTS);
    assert_eq!(urls(&inv, MediaKind::Description), ALIBABA_DESCRIPTION);
    let videos: Vec<&MediaItem> = inv.of_kind(MediaKind::Video).collect();
    assert_eq!(videos.len(), 1);
    assert_eq!(videos[0].url, ALIBABA_VIDEO);
    // Poster: `videoCoverUrl` (`_120x120` of gallery image 1) as its original.
    assert_eq!(videos[0].poster.as_deref(), Some(ALIBABA_GALLERY[0]));
    assert_eq!(inv.items.len(), 6 + 2 + 6 + 1);
    // The description video id (also the legacy product.video id) has no URL
    // in this capture: a warning, no guessed cloud.video.alibaba.com URL.
    assert_eq!(
        common::codes(&inv),
        ["video_without_url"],
        "{:?}",
        inv.warnings
    );
    assert!(inv.warnings[0].message.contains("366544718506"));
    assert!(inv
        .items
        .iter()
        .all(|i| !i.url.contains("cloud.video") && !i.url.contains("366544718506")));
    // Nothing from the §9.2 not-media list: every other CDN URL in the object
    // (certificates, seller portrait, company images, banners, the "hot" icon,
    // the explainer video on cloud.video.taobao.com, the other renditions…)
    // is left out.
    let left = cdn_urls_left_out(&json, &inv);
    assert!(left.len() > 10, "{left:?}");
    assert!(left.iter().any(|u| u.contains("cloud.video.taobao.com")));
    assert!(left
        .iter()
        .any(|u| u == "https://sc01.alicdn.com/kf/Hd58a2101f24141a0ae490d8f57a0c169c.png"));
}
