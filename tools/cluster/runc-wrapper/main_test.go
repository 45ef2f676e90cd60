package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

const spec = `{"ociVersion":"1.0.2","process":{"args":["sh"],"capabilities":{
"bounding":["CAP_CHOWN","CAP_SYS_RESOURCE","CAP_NET_ADMIN"],
"effective":["CAP_SYS_RESOURCE"],"permitted":["CAP_CHOWN","CAP_SYS_RESOURCE"],
"inheritable":[],"ambient":["CAP_SYS_RESOURCE"]}},"root":{"path":"rootfs"}}`

func caps(t *testing.T, path string, spec bool) map[string]interface{} {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]interface{}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	if spec {
		d = d["process"].(map[string]interface{})
	}
	return d["capabilities"].(map[string]interface{})
}

func noSysResource(t *testing.T, c map[string]interface{}) {
	t.Helper()
	for k, v := range c {
		for _, x := range v.([]interface{}) {
			if x == dropCap {
				t.Errorf("%s still holds %s", k, dropCap)
			}
		}
	}
	if b := c["bounding"].([]interface{}); len(b) != 2 || b[0] != "CAP_CHOWN" || b[1] != "CAP_NET_ADMIN" {
		t.Errorf("other caps changed: %v", b)
	}
}

func TestCreateWithBundleFlag(t *testing.T) {
	for _, form := range [][]string{
		{"--root", "/run/runc", "--log", "x.log", "create", "--bundle", "BUNDLE", "id"},
		{"--systemd-cgroup", "create", "-b", "BUNDLE", "id"},
		{"run", "--bundle=BUNDLE", "id"},
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "config.json"), []byte(spec), 0o600)
		args := append([]string{}, form...)
		for i, a := range args {
			if a == "BUNDLE" {
				args[i] = dir
			} else if a == "--bundle=BUNDLE" {
				args[i] = "--bundle=" + dir
			}
		}
		if err := Edit(args); err != nil {
			t.Fatal(err)
		}
		noSysResource(t, caps(t, filepath.Join(dir, "config.json"), true))
		if st, _ := os.Stat(filepath.Join(dir, "config.json")); st.Mode().Perm() != 0o600 {
			t.Errorf("mode changed: %v", st.Mode())
		}
	}
}

func TestCreateDefaultBundleIsCwd(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(spec), 0o644)
	old, _ := os.Getwd()
	defer os.Chdir(old)
	os.Chdir(dir)
	if err := Edit([]string{"create", "id"}); err != nil {
		t.Fatal(err)
	}
	noSysResource(t, caps(t, filepath.Join(dir, "config.json"), true))
}

func TestExecProcessFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "process.json")
	process := `{"args":["sh"],"capabilities":{"bounding":["CAP_CHOWN","CAP_SYS_RESOURCE","CAP_NET_ADMIN"]}}`
	os.WriteFile(p, []byte(process), 0o600)
	if err := Edit([]string{"--root", "/r", "exec", "--process", p, "--detach", "id"}); err != nil {
		t.Fatal(err)
	}
	c := caps(t, p, false)
	if b := c["bounding"].([]interface{}); len(b) != 2 {
		t.Errorf("bounding = %v", b)
	}
}

func TestOtherCommandsUntouched(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(spec), 0o600)
	for _, a := range [][]string{{"--version"}, {"state", "id"}, {"delete", "--force", "id"}, {"start", "id"}} {
		if err := Edit(append(a, "--bundle", dir)); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "config.json")); string(b) != spec {
		t.Error("config changed by a non-create command")
	}
}

func TestNoCapabilitiesNoRewrite(t *testing.T) {
	dir := t.TempDir()
	orig := `{"process":{"args":["sh"]}}`
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(orig), 0o600)
	if err := Edit([]string{"create", "-b", dir, "id"}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "config.json")); string(b) != orig {
		t.Error("rewritten without need")
	}
}
