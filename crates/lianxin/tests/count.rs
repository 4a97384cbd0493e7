//! `lianxin count` on the hand-counted examples (copied from the shared examples): every key of
//! each `.expected.json` but the free-worded `reason` must come back with the same value
//! (`elected` as a set).

use std::path::Path;
use std::process::Command;

fn run(file: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lianxin")).arg("count").arg(file).output().expect("run lianxin count");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn the_hand_counted_examples_come_out_the_same() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/count");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".json") || name.ends_with(".expected.json") {
            continue;
        }
        let input: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let expected: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path.with_file_name(name.replace(".json", ".expected.json"))).unwrap()).unwrap();
        let (code, out, err) = run(&path);
        assert!(input["kind"].is_string(), "{name}");
        assert_eq!(code, 0, "{name}: {err}");
        let got: serde_json::Value = serde_json::from_str(&out).unwrap();
        for (k, v) in expected.as_object().unwrap() {
            match (k.as_str(), v) {
                ("reason", _) => {}
                // `elected` is a set (the examples' README)
                ("elected", serde_json::Value::Array(want)) => {
                    let mut a: Vec<String> = got[k].as_array().unwrap().iter().map(|x| x.to_string()).collect();
                    let mut b: Vec<String> = want.iter().map(|x| x.to_string()).collect();
                    a.sort();
                    b.sort();
                    assert_eq!(a, b, "{name}: elected");
                }
                _ => assert_eq!(&got[k], v, "{name}: {k}"),
            }
        }
        assert!(got["reason"].as_str().is_some_and(|r| r.contains("R-")), "{name}: the reason names its rule");
        checked += 1;
    }
    assert_eq!(checked, 8, "the hand-counted examples");
}

#[test]
fn bad_requests_get_a_clear_error_and_no_result() {
    let dir = std::env::temp_dir().join(format!("lianxin-count-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.json");
    std::fs::write(&f, r#"{"kind":"decision","method":"party_branch_resolution","members_expected":20,"present":25,"votes":{"yes":11,"no":0}}"#)
        .unwrap();
    let (code, out, err) = run(&f);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("到会人数 25") && err.contains("25 present"), "{err}");
    let (code, _, err) = run(&dir.join("missing.json"));
    assert!(code != 0 && err.contains("missing.json"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn paper_ballots_come_from_a_tally_sheet() {
    let dir = std::env::temp_dir().join(format!("lianxin-count-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // example 01 as the tellers would type it
    let req = dir.join("e.json");
    std::fs::write(
        &req,
        r#"{"kind":"election","method":"party_grassroots","seats":2,"eligible_voters":12,"voters_present":11,"candidates":["张三","李四","王五"],"ballots":[]}"#,
    )
    .unwrap();
    let csv = dir.join("b.csv");
    std::fs::write(&csv, "\u{feff}张数,张三,李四,王五,另选\n5,赞成,赞成,不赞成,\n3,赞成,弃权,赞成,\n2,,○,○,赵六\n1,,,,\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lianxin")).arg("count").arg(&req).arg("--ballots").arg(&csv).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((got["void_ballots"].as_u64(), got["tally"]["张三"].as_u64(), got["elected"][0].as_str()), (Some(2), Some(8), Some("张三")));
    // a bad cell names its row and column, and nothing is counted
    std::fs::write(&csv, "张数,张三,李四,王五\n5,赞成,也许,\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lianxin")).arg("count").arg(&req).arg("--ballots").arg(&csv).output().unwrap();
    assert_eq!((out.status.code(), out.stdout.len()), (Some(2), 0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("第 2 行“李四”") && err.contains("row 2"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
