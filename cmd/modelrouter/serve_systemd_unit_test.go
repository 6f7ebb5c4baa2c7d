package main

// README "Installing on a server": the systemd unit `make dist` packs
// (scripts/modelrouter.service) starts serve with flags serve takes, its
// keys where serve reads them, and gives its shutdown time to finish, so
// the unit cannot drift from the binary.

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	systemdUnitFile = "../../scripts/modelrouter.service"
	installedBinary = "/opt/modelrouter/bin/modelrouter"
)

// systemdUnit is a unit file's settings, by section then key, each
// key's values in order (Environment= and LoadCredential= repeat).
type systemdUnit map[string]map[string][]string

// readSystemdUnit reads the unit file's sections and Key=Value lines,
// joining lines continued by a trailing backslash.
func readSystemdUnit(t *testing.T, path string) systemdUnit {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	unit, section, pending := systemdUnit{}, "", ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if pending == "" && (line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";")) {
			continue
		}
		if cont, ok := strings.CutSuffix(line, `\`); ok {
			pending += cont + " "
			continue
		}
		line, pending = pending+line, ""
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.Trim(line, "[]")
			unit[section] = map[string][]string{}
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		require.True(t, ok, "%s: not Key=Value: %q", path, line)
		require.NotEmpty(t, section, "%s: %q outside a section", path, line)
		unit[section][strings.TrimSpace(key)] = append(unit[section][strings.TrimSpace(key)], strings.TrimSpace(value))
	}
	require.NoError(t, sc.Err())
	return unit
}

// one is the key's single value in section.
func (u systemdUnit) one(t *testing.T, section, key string) string {
	t.Helper()
	values := u[section][key]
	require.Len(t, values, 1, "[%s] %s=", section, key)
	return values[0]
}

// systemdSeconds reads a systemd time span as this unit writes one: a
// Go duration ("60s", "1m30s") or bare seconds ("60").
func systemdSeconds(t *testing.T, span string) time.Duration {
	t.Helper()
	if n, err := strconv.Atoi(span); err == nil {
		return time.Duration(n) * time.Second
	}
	d, err := time.ParseDuration(span)
	require.NoError(t, err, "TimeoutStopSec=%s: write it as 60s or 60", span)
	return d
}

// The unit's ExecStart is the installed binary's serve with flags serve
// parses, its Environment= and credentials are read as serve reads them
// (the admin key from the file LoadCredential= gives it), its database
// lies in its StateDirectory, and TimeoutStopSec leaves serve the grace
// and the cut after it (drainTime, recordWait, bookingWait) before
// systemd's SIGKILL, which would lose the cut requests' log rows.
func TestSystemdUnitStartsServeAsItTakesIt(t *testing.T) {
	unit := readSystemdUnit(t, systemdUnitFile)

	execStart := unit.one(t, "Service", "ExecStart")
	require.NotContainsf(t, execStart, `"`, "ExecStart=%s: quoting is not read here; keep the words plain", execStart)
	require.NotContainsf(t, execStart, `'`, "ExecStart=%s: quoting is not read here; keep the words plain", execStart)
	words := strings.Fields(execStart)
	require.GreaterOrEqual(t, len(words), 2, "ExecStart=%s", execStart)
	require.Equal(t, installedBinary, words[0], "where README's install puts the binary")
	require.Equal(t, "serve", words[1])

	// Each credential as systemd would place it under %d.
	creds := t.TempDir()
	loaded := map[string]string{}
	for _, lc := range unit["Service"]["LoadCredential"] {
		name, from, ok := strings.Cut(lc, ":")
		require.True(t, ok, "LoadCredential=%s: NAME:PATH", lc)
		require.True(t, filepath.IsAbs(from), "LoadCredential=%s", lc)
		loaded[name] = "credential-" + name + "-0123456789abcdef0123456789abcdef"
		require.NoError(t, os.WriteFile(filepath.Join(creds, name), []byte(loaded[name]+"\n"), 0o400))
	}
	var environ []string
	for _, env := range unit["Service"]["Environment"] {
		for _, kv := range strings.Fields(env) {
			require.Contains(t, kv, "=", "Environment=%s", env)
			environ = append(environ, strings.ReplaceAll(kv, "%d", creds))
		}
	}

	var stderr bytes.Buffer
	o, err := parseServeArgs(words[2:], environ, &stderr)
	require.NoError(t, err, "serve refuses the unit's ExecStart=%s: %s", execStart, stderr.String())

	require.Contains(t, o.environ, "MODELROUTER_ADMIN_KEY="+loaded["admin_key"],
		"the admin key is read from the credential LoadCredential=admin_key:... gives")
	state := unit.one(t, "Service", "StateDirectory")
	assert.Equal(t, filepath.Join("/var/lib", state), filepath.Dir(o.db), "--db in StateDirectory=, the one folder serve may write")

	stop := systemdSeconds(t, unit.one(t, "Service", "TimeoutStopSec"))
	shutdown := o.grace + drainTime + recordWait + bookingWait
	assert.Greater(t, stop, shutdown, "TimeoutStopSec=%s is no longer than serve's shutdown (--grace %s, then up to %s)",
		stop, o.grace, shutdown-o.grace)
	assert.Equal(t, "on-failure", unit.one(t, "Service", "Restart"))
	assert.NotContains(t, unit["Service"], "MemoryDenyWriteExecute", "ONNX Runtime may map executable memory")
}

// systemd reads the unit without a complaint: no unknown or misspelt key,
// no bad value (systemd-analyze verify, where it is installed; it needs
// ExecStart's binary to exist, so this test binary stands in).
func TestSystemdUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("no systemd-analyze")
	}
	data, err := os.ReadFile(systemdUnitFile)
	require.NoError(t, err)
	require.Contains(t, string(data), installedBinary)
	path := filepath.Join(t.TempDir(), "modelrouter.service")
	require.NoError(t, os.WriteFile(path, bytes.ReplaceAll(data, []byte(installedBinary), []byte(testBinary(t))), 0o644))

	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.NotContains(t, string(out), path, "systemd-analyze verify warns of the unit")
}
