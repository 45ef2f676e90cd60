// Command daprkit-runc wraps runc for hosts whose capability bounding set lacks
// CAP_SYS_RESOURCE (bit 24). Privileged containers ask runc for every capability and
// runc fails with "unable to apply caps: operation not permitted". Before handing over
// to the real runc, this wrapper removes CAP_SYS_RESOURCE:
//   - create/run: from process.capabilities.* in <bundle>/config.json (bundle from
//     --bundle/-b, default the current directory);
//   - exec: from .capabilities.* in the --process/-p file, if given.
//
// It then execs the real runc with the unchanged arguments. Nothing else is modified.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

const dropCap = "CAP_SYS_RESOURCE"

// Global runc flags that take a value (so the value is not taken for the subcommand).
var globalValueFlags = map[string]bool{
	"--root": true, "--log": true, "--log-format": true, "--criu": true, "--rootless": true,
}

func realRunc() string {
	if p := os.Getenv("DAPRKIT_REAL_RUNC"); p != "" {
		return p
	}
	self, _ := os.Executable()
	self, _ = filepath.EvalSymlinks(self)
	candidates := []string{"/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc.real", "/usr/local/bin/runc.real"}
	for _, c := range candidates {
		if r, err := filepath.EvalSymlinks(c); err == nil && r != self {
			return c
		}
	}
	return "/usr/sbin/runc"
}

// subcommand returns the index of the runc subcommand in args, or -1.
func subcommand(args []string) int {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			if globalValueFlags[a] {
				i++
			}
			continue
		}
		return i
	}
	return -1
}

// flagValue finds the value of a flag (long or short, "--x v", "--x=v", "-x v") after index from.
func flagValue(args []string, from int, long, short string) (string, bool) {
	for i := from; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if a == long || a == short || a == "-"+strings.TrimPrefix(long, "--") {
			if i+1 < len(args) {
				return args[i+1], true
			}
			return "", false
		}
		for _, p := range []string{long + "=", short + "=", "-" + strings.TrimPrefix(long, "--") + "="} {
			if strings.HasPrefix(a, p) {
				return strings.TrimPrefix(a, p), true
			}
		}
	}
	return "", false
}

// stripCaps removes dropCap from every list in a capabilities object. Returns true if changed.
func stripCaps(caps map[string]interface{}) bool {
	changed := false
	for k, v := range caps {
		list, ok := v.([]interface{})
		if !ok {
			continue
		}
		out := make([]interface{}, 0, len(list))
		for _, c := range list {
			if s, ok := c.(string); ok && s == dropCap {
				changed = true
				continue
			}
			out = append(out, c)
		}
		caps[k] = out
	}
	return changed
}

// EditFile rewrites path removing dropCap; spec=true means an OCI config.json
// (process.capabilities), false a process.json (capabilities).
func EditFile(path string, spec bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc map[string]interface{}
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	obj := doc
	if spec {
		p, ok := doc["process"].(map[string]interface{})
		if !ok {
			return nil
		}
		obj = p
	}
	caps, ok := obj["capabilities"].(map[string]interface{})
	if !ok || !stripCaps(caps) {
		return nil
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp := path + ".daprkit-tmp"
	if err := os.WriteFile(tmp, out, st.Mode().Perm()); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Edit applies the edit that args call for (exported for tests).
func Edit(args []string) error {
	i := subcommand(args)
	if i < 0 {
		return nil
	}
	switch args[i] {
	case "create", "run":
		bundle, ok := flagValue(args, i+1, "--bundle", "-b")
		if !ok {
			bundle = "."
		}
		return EditFile(filepath.Join(bundle, "config.json"), true)
	case "exec":
		if p, ok := flagValue(args, i+1, "--process", "-p"); ok {
			return EditFile(p, false)
		}
	}
	return nil
}

func main() {
	if err := Edit(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "daprkit-runc: %v\n", err)
	}
	real := realRunc()
	argv := append([]string{real}, os.Args[1:]...)
	if err := syscall.Exec(real, argv, os.Environ()); err != nil {
		fmt.Fprintf(os.Stderr, "daprkit-runc: exec %s: %v\n", real, err)
		os.Exit(127)
	}
}
