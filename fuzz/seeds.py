#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/ (run from anywhere).

Seeds are small slices of the real fixtures in tests/fixtures/real/ (the
copies the repository keeps, as the core tests read them) plus synthetic snippets taken
from core/tests. The `extract` input layout is described in src/lib.rs
(`decode_page`): one URL-selector byte, the page HTML, then up to three
documents, each `0x1E`, a URL-selector byte and the body.

The files are committed; rerun this only to change the seeds. Whole corpus:
well under 2 MB.
"""
import hashlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REAL = os.path.join(ROOT, "tests", "fixtures", "real")

SEP = b"\x1e"
# Indexes into PAGE_URLS / DOC_URLS in src/lib.rs.
HE, ES, WWW, US, OLD, RU, RU_M, ALIBABA, DE_I, UNKNOWN, REACT, LEGACY = range(12)
N_PAGE = 12
RAW_URL = N_PAGE  # URL = first line of the HTML part
MTOP, DESC_HTM, DESC_JSON, RU_PRODUCT, RU_WIDGET, ALIBABA_DESC = range(6)
RAW_DOC = 6


def real(rel):
    with open(os.path.join(REAL, rel), encoding="utf-8") as f:
        return f.read()


def page(sel, html, docs=()):
    out = bytes([sel]) + html.encode("utf-8")
    for d, body in docs:
        out += SEP + bytes([d]) + body.encode("utf-8")
    return out


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def extract_seeds():
    s = {}
    # Real: Module-era runParams.data (jshemas), in a synthetic wrapper.
    # Module map minus the large modules the extractor never reads.
    data = json.loads(real("jshemas-openGraphScraperPages/aliexpress.runParams.data.extracted.json"))
    for k in ["crossLinkModule", "couponModule", "specsModule", "shippingModule",
              "otherServiceModule", "actionModule", "pageModule"]:
        data.pop(k, None)
    data = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    s["real-module-runparams"] = page(
        HE,
        '<html lang="he"><head><script>window.runParams = {\n data: '
        + data
        + ",\n csrfToken: '}{', abVersion: ''\n};\nvar GaData = {};</script></head><body></body></html>",
    )
    # Real: slices of the rendered DOM of the same page (gallery, SKU, description).
    h = real("jshemas-openGraphScraperPages/aliexpress.html")
    dom = re.sub(r"(<script[^>]*>)(.*?)(</script>)", r"\1\3", h, flags=re.S)
    i = dom.find('<div class="image-viewer"')
    j = dom.find('id="product-description"')
    j = dom.rfind("<div", 0, j)
    s["real-module-dom-slices"] = page(
        HE, '<html lang="he"><body>' + dom[i : i + 16000] + dom[j : j + 12000] + "</body></html>"
    )
    # Real: a Component-era runParams script body (airvzxf), synthetic wrapper.
    # Component map of the dump minus the large components the extractor never
    # reads, re-serialised compactly in the dump's own wrapper.
    js = real("airvzxf-web-browser-extension-alienhanced/item-1005006427599086.js")
    start = js.index("{", js.index("data:"))
    comp, end = json.JSONDecoder().raw_decode(js, start)
    for k in ["i18nComponent", "webGeneralFreightCalculateComponent",
              "multiLanguageUrlComponent", "priceComponent"]:
        comp.pop(k, None)
    js = js[:start] + json.dumps(comp, ensure_ascii=False, separators=(",", ":")) + js[end:]
    s["real-component-runparams"] = page(
        ES, "<html><head><script>" + js + "</script></head><body></body></html>"
    )
    # Real: aliexpress.ru props + description fragments, synthetic widget tree.
    props = real("IarBest-Aliexpress-to-AI/gallery-1005008195850531.json")
    desc = json.loads(real("IarBest-Aliexpress-to-AI/description-1005008195850531.json"))
    frags = "".join(v for v in desc.get("fragments", {}).values() if isinstance(v, str))
    tree = (
        '{"widgets":[{"widgetId":"header","props":{},"children":[]},{"widgetId":"layout","uuid":"u1",'
        '"children":[{"widgetId":"recommend","props":{"id":"1005000000000001","gallery":[{"imageUrl":'
        '"https://ae04.alicdn.com/kf/Sdecoy000000000000000000000000000.jpg","videoUrl":null}]}},'
        '{"widgetId":"col","children":[{"widgetId":"grid","state":{"data":null},"children":['
        + props
        + "]}]}]}]}"
    )
    s["real-aer-island"] = page(
        RU,
        '<!DOCTYPE html><html lang="ru"><head><title>x</title></head><body><div id="__aer_root__"></div>'
        '<script id="__AER_DATA__" type="application/json">'
        + tree
        + '</script><div class="x"><div id="content_anchor">'
        + frags
        + "</div></div></body></html>",
    )
    props2 = real("IarBest-Aliexpress-to-AI/gallery-1005005933779962.json")
    product = real("IarBest-Aliexpress-to-AI/product-1005008195850531.json")
    s["real-aer-productdata-doc"] = page(
        RU_M,
        '<html><script id="__AER_DATA__" type="application/json">{"widgets":[' + props2 + "]}</script></html>",
        [(RU_PRODUCT, product)],
    )

    # Synthetic snippets (from core/tests/extract_synthetic.rs and hostile.rs).
    s["syn-era-c-dcdata"] = page(
        DE_I,
        '<html><head><script>window._d_c_ = window._d_c_ || {};\nwindow._d_c_.DCData = {"extParams":{"site":"deu"},"name":"ItemDetailResp","imagePathList":["https://ae-pic-a1.aliexpress-media.com/kf/S1111111111111111111111111111111a.jpg","https://ae-pic-a1.aliexpress-media.com/kf/S2222222222222222222222222222222b.png"],"summImagePathList":["https://ae-pic-a1.aliexpress-media.com/kf/S1111111111111111111111111111111a.jpg_80x80.jpg"]};</script></head><body></body></html>',
    )
    mtop = (
        'mtopjsonp1({"api":"mtop.aliexpress.pdp.pc.query","data":{"result":{'
        '"HEADER_IMAGE_PC":{"imagePathList":["https://ae-pic-a1.aliexpress-media.com/kf/Saaaa1.jpg","https://ae01.alicdn.com/kf/Sbbbb2.jpg_640x640.jpg","https://evil.example.com/kf/Sddd.jpg"],"skuImagesMap":{"12000000000000001":["https://ae01.alicdn.com/kf/Sfff.jpg"]}},'
        '"SKU":{"skuProperties":[{"skuPropertyId":14,"skuPropertyName":"Color","skuPropertyValues":[{"propertyValueIdLong":691,"propertyValueDisplayName":"Play blue light","propertyValueName":"Blue","skuPropertyImagePath":"https://ae-pic-a1.aliexpress-media.com/kf/Seeee4.jpg_640x640.jpg"}]}]},'
        '"PRODUCT_TITLE":{"text":"Synthetic"},'
        '"DESC":{"pcDescUrl":"https://aeproductsourcesite.alicdn.com/product/description/pc/v2/en_US/desc.htm?productId=1005007000000001&key=S1.zip&token=t","nativeDescUrl":"https://aeproductsourcesite.alicdn.com/product/description/native/v2/en_US/desc.json?productId=1005007000000001"},'
        '"HEADER_VIDEO_PC":{"videoId":777,"videoUid":"ae_sg_item"}}},"ret":["SUCCESS::ok"],"v":"1.0"})'
    )
    desc_html = (
        '<div class="detailmodule_html"><kse:widget data-widget-type="relatedProduct" id="1" type="relation"><a href="https://www.aliexpress.com/item/1005001111111111.html"><img src="https://ae01.alicdn.com/kf/Scross1.jpg"></a></kse:widget>'
        '<p><img src="https://ae01.alicdn.com/kf/Sdesc1/Seller-Slug.jpg_.webp"><img src="https://ae01.alicdn.com/kf/Sdesc3.jpg?size=1&amp;height=2&amp;width=3&amp;hash=4"></p>'
        '<video src="https://video.aliexpress-media.com/play/u/ae_sg_item/9/p/1/e/6/t/10301/777.mp4" poster="https://ae01.alicdn.com/kf/Sposter.jpg"></video></div>'
    )
    s["syn-era-d-mtop-desc"] = page(
        US,
        '<html><body><div id="root"><div class="slider--img--K0YbWW2"><img src="https://ae01.alicdn.com/kf/Sdomonly.jpg_220x220q75.jpg_.avif"></div></div></body></html>',
        [(MTOP, mtop), (DESC_HTM, desc_html)],
    )
    s["syn-era-d-native-json"] = page(
        US,
        "<html></html>",
        [
            (MTOP, mtop.replace("mtopjsonp1", "mtopjsonp2")),
            (DESC_JSON, '{"version":"1","moduleList":[{"type":"text","data":{"content":"hi"}},{"type":"image","data":{"url":"https://ae01.alicdn.com/kf/Snative1.jpg"}}]}'),
        ],
    )
    s["syn-mtop-token-error"] = page(
        US, "", [(MTOP, 'mtopjsonp1({"api":"mtop.aliexpress.pdp.pc.query","data":{},"ret":["FAIL_SYS_TOKEN_EMPTY::token empty"],"v":"1.0"})')]
    )
    s["syn-react-dom"] = page(
        REACT,
        '<html lang="en-US"><head><meta property="og:image" content="https://ae01.alicdn.com/kf/Sog.jpg_960x960.jpg"></head><body><div id="root"><div class="pdp-body pdp-wrap"><div class="pdp-info">'
        '<div class="image-view--previewWrap--kSHfegR"><div><img class="magnifier--image--RM17RL2" src="https://ae01.alicdn.com/kf/Sthumb2.jpg_Q90.jpg_.webp"></div>'
        '<div class="video--wrap--EhkqzuR"><video class="video--videoPlayer--qZSl_Uf" src="https://video.aliexpress-media.com/play/u/ae_sg_item/5/p/1/e/6/t/10301/555.mp4" poster="https://ae01.alicdn.com/kf/Sposter.jpg_640x640.jpg"></video></div></div>'
        '<div class="slider--slider--VKj5hty"><div class="slider--item--RpyeewA"><div class="slider--img--K0YbWW2"><img src="https://ae01.alicdn.com/kf/Sthumb1.jpg_220x220q75.jpg_.avif"></div></div>'
        '<div class="slider--item--RpyeewA"><div class="slider--img--kD4mIg7"><img src="//ae-pic-a1.aliexpress-media.com/kf/Sthumb3.png_220x220.png_.avif"></div></div></div>'
        '<div class="title--wrap--UUHae_g"><h1 data-pl="product-title">Synthetic <b>React</b> Item</h1></div>'
        '<div class="sku-item--property--HuasaIz"><div class="sku-item--title--Z0HLO87"><span>Color: <span>Red</span></span></div><div class="sku-item--skus--StEhULs">'
        '<div data-sku-col="14-29" class="sku-item--image--jMUnnGA"><img src="https://ae01.alicdn.com/kf/Sred.jpg_220x220.jpg_.avif" alt="Red"></div></div></div></div>'
        '<div id="nav-description"><div id="product-description" class="description--product-description--Mjtql28"><template shadowrootmode="open"><div class="detailmodule_html"><img src="https://ae01.alicdn.com/kf/Sdesc.jpg"></div></template></div></div>'
        "</div></div></body></html>",
    )
    s["syn-era-a-module-video"] = page(
        OLD,
        '<html><head><script> window.runParams = {\n data: {"imageModule":{"imagePathList":["https://ae01.alicdn.com/kf/HTB1abc/Slug.jpg"],"videoId":3500123456,"videoUid":"aBc-1_2"},"titleModule":{"subject":"Old item"},"descriptionModule":{"descriptionUrl":"https://aeproductsourcesite.alicdn.com/product/description/pc/v2/en_US/desc.htm?productId=32993251331&key=H.zip&token=x"},"webEnv":{"env":{"valMap":{"g11n:locale":"en_US"}}}},\n csrfToken: \'}{\',\n abtestMap: {}\n};\nvar GaData = {}; </script></head><body></body></html>',
        [(RAW_DOC, 'https://aeproductsourcesite.alicdn.com/product/description/pc/v2/en_US/desc.htm?productId=32993251331&amp;key=H.zip&amp;token=x\n<p><img src="https://ae01.alicdn.com/kf/HTB1desc/221558572/HTB1desc.jpg"></p>')],
    )
    detail = (
        '{"devData":{},"globalData":{"product":{"productId":1600123456789,"subject":"Synthetic Wireless Earbuds","mediaItems":['
        '{"type":"image","imageUrl":{"big":"https://s.alicdn.com/@sc04/kf/H1111a.jpg","normal":"https://s.alicdn.com/@sc04/kf/H1111a.jpg_300x300.jpg"}},'
        '{"type":"video","videoId":6000280444270,"videoCoverUrl":"https://sc04.alicdn.com/kf/Hc5bb.jpg_120x120.jpg","videoUrl":{"hd":{"videoUrl":"https://cloud.video.alibaba.com/play/u/2153292369/p/1/e/6/t/10301/6000280444270.mp4?auth_key=abc","definition":"hd"}}},'
        '{"type":"image","imageUrl":{"normal":"//sc04.alicdn.com/kf/H2222b.png_350x350.png"}}],'
        '"sku":{"skuAttrs":[{"id":3216,"name":"Color","values":[{"id":1,"name":"Black","originImage":"https://s.alicdn.com/@sc04/kf/H3333c.jpg_80x80.jpg"},{"id":2,"name":"White"}]}]}},'
        '"seller":{"companyName":"Shenzhen Synthetic Tech Co., Ltd."}},"hierarchy":{},"nodeMap":{}}'
    )
    ali_desc = (
        '{"success":true,"data":{"productHtmlDescription":"<div id=\\"detail_decorate_root\\"><div module-title=\\"detailSingleImage\\" class=\\"J_module\\">'
        '<img src=\\"//u.alicdn.com/js/5v/esite/img/img-placeholder.png\\" data-src=\\"//sc04.alicdn.com/kf/H4444d.jpg\\"></div>'
        '<video src=\\"https://cloud.video.alibaba.com/play/u/2153292369/p/1/e/6/t/10301/6000999.mp4\\"></video></div>"}}'
    )
    s["syn-alibaba-detaildata"] = page(
        ALIBABA,
        "<html><head><script>window.detailData = " + detail + ";\nwindow.detailData.extra = 1;</script></head><body></body></html>",
        [(ALIBABA_DESC, ali_desc)],
    )
    s["syn-alibaba-jsonld"] = page(
        LEGACY,
        '<html><head><script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"BreadcrumbList"},{"@type":"Product","name":"LD Product","image":["https://sc04.alicdn.com/kf/HLD1.jpg_350x350.jpg",{"@type":"ImageObject","contentUrl":"//sc04.alicdn.com/kf/HLD2.png"}]}]}</script>'
        '<script>window.detailData = {"product":{"subject":"Legacy","mediaItems":[{"type":"image","imageUrl":{"big":"https://sc02.alicdn.com/kf/HL1.jpg"}}],"video":{"videoId":6000111,"cover":"https://sc04.alicdn.com/kf/Hcover.jpg"}}};</script></head></html>',
    )
    s["syn-unknown-url"] = page(
        UNKNOWN,
        '<html><head><script>window.runParams = {data: {"imageComponent":{"imagePathList":["https://ae01.alicdn.com/kf/Sx.jpg"]},"productInfoComponent":{"idStr":"1005000000000009"},"productDescComponent":{"descriptionUrl":"//aeproductsourcesite.alicdn.com/product/description/pc/v2/fr_FR/desc.htm?productId=1"}}};</script></head></html>',
    )
    s["syn-aer-hostile"] = page(
        RU,
        '<script id="__AER_DATA__" type="application/json">{"widgets":[{"props":{"id":"1005000000000001","gallery":[1,"x",{"imageUrl":5},{"videoUrl":"javascript:alert(1)","imageUrl":"https://ae01.alicdn.com/kf/Sp.jpg"}]}}]}</script>',
        [(RU_WIDGET, '{"widgets":[{"state":{"data":{"html":"<img src=\\"https://ae01.alicdn.com/kf/Swidget.jpg\\">"}}}]}')],
    )
    s["syn-raw-url-jsonp"] = page(
        RAW_URL,
        "https://www.aliexpress.com/item/1005000000000002.html?spm=x#nav\n<script>window.runParams = {data: {\"imageComponent\":{\"imagePathList\":[\"//ae01.alicdn.com/kf/Sraw.jpg_640x640.jpg\"],\"image250PathList\":[\"https://ae01.alicdn.com/kf/Sraw.jpg_250x250.jpg\"]}}};</script>",
        [(RAW_DOC, "https://acs.aliexpress.us/h5/mtop.aliexpress.pdp.pc.query/1.0/?callback=cb\ncb({\"data\":{\"result\":{\"HEADER_IMAGE_PC\":{\"imagePathList\":[\"https://ae02.alicdn.com/kf/Sm.png\"]}}}})")],
    )
    # Table URL with an appended suffix (SEL = N+1 + (N+2)*base).
    s["syn-suffix-url"] = page(
        N_PAGE + 1 + (N_PAGE + 2) * RU,
        '?sku_id=12000000000000001&spm=a\n<html lang="ru"><script id="__AER_DATA__" type="application/json">{"props":{"id":"1005008195850531","gallery":[{"imageUrl":"https://ae-pic-a1.aliexpress-media.com/kf/Sru.jpg","videoUrl":"https://video.aliexpress-media.com/play/u/ae_sg_item/p/1/e/6/t/10301/5.mp4"}]}}</script></html>',
    )
    for name, data in s.items():
        write("extract", name, data)


def url_seeds():
    src = open(os.path.join(ROOT, "core", "tests", "url_rules.rs"), encoding="utf-8").read()
    lits = re.findall(r'"((?:[^"\\]|\\.)*)"', src)
    seen = set()
    for lit in lits:
        if not ("//" in lit or "alicdn" in lit or "aliexpress" in lit or "alibaba" in lit):
            continue
        text = lit.encode("utf-8").decode("unicode_escape").encode("latin-1", "replace") if "\\" in lit else lit.encode("utf-8")
        if "{}" in lit or text in seen:
            continue
        seen.add(text)
        write("url", "t-" + hashlib.sha1(text).hexdigest()[:12], text)
    extra = [
        "https://ae-pic-a1.aliexpress-media.com/kf/Sab.jpg_640x640.jpg_.webp?x=1#y",
        "https://video.aliexpress-media.com/play/u/ae_sg_item/1/p/1/e/6/t/10301/2.mp4?auth_key=a%20b#t=1",
        "//img.alicdn.com/imgextra/i4/6000000000000/O1CN01x_!!6000000000000-0-tps-800-800.jpg_.webp",
        "https://s.alicdn.com/@sc04/kf/H.jpg_.png_.webp",
        "HTTP://AE01.ALICDN.COM.:443/KF/HAB.JPG_220X220.JPG",
    ]
    for e in extra:
        write("url", "x-" + hashlib.sha1(e.encode()).hexdigest()[:12], e.encode())


def settings_seeds():
    seeds = {
        "default": {"schema_version": 1, "folder": "AliSavePro", "kinds": {"gallery": True, "variant": True, "description": True, "video": True}, "show_button": True},
        "v0-subfolder": {"subfolder": "aliexpress"},
        "corrupt-fields": {"schema_version": 1, "folder": 42, "show_button": False, "kinds": {"gallery": "yes", "video": False}},
        "newer": {"schema_version": 99, "folder": "X", "future": 1},
        "folder-tricky": {"folder": " Ali / Photos \\ CON.txt / nul .x / com\u00b9 "},
        "folder-dots": {"folder": "../../x"},
        "folder-long": {"folder": "a/" * 30 + "b" * 60},
        "null": None,
        "array": [1, 2],
        "string": "x",
    }
    for name, v in seeds.items():
        write("settings", name, json.dumps(v, ensure_ascii=False).encode("utf-8"))


def filename_seeds():
    names = {
        "plain": (100, "gallery-01"),
        "seps": (100, "a/b\\c:d*e?f\"g<h>i|j"),
        "reserved": (100, "CON"),
        "reserved-ext": (60, "lpt9.tar.gz"),
        "dots": (100, "...hidden. . "),
        "unicode-cut": (11, "\u00e9" * 100),
        "emoji": (100, "\U0001f600" * 40),
        "bidi": (100, "evil\u202egpj.exe"),
        "controls": (100, "tab\there\nnew\x7f\x00end"),
        "cyrillic": (40, "\u041a\u0440\u0430\u0441\u043d\u044b\u0439 \u0446\u0432\u0435\u0442"),
        "folder": (120, " Ali / Photos \\ sub "),
        "zero": (0, "x"),
    }
    for name, (mx, raw) in names.items():
        write("filename", name, mx.to_bytes(2, "little") + raw.encode("utf-8"))


if __name__ == "__main__":
    extract_seeds()
    url_seeds()
    settings_seeds()
    filename_seeds()
    total = 0
    for dp, _, fs in os.walk(os.path.join(HERE, "corpus")):
        total += sum(os.path.getsize(os.path.join(dp, f)) for f in fs)
    print(f"corpus: {total} bytes")
