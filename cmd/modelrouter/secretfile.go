package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strings"

	"github.com/modelrouter/modelrouter/server/manage"
)

// secretFileSuffix: VAR_FILE names a file that holds VAR's value, as Docker
// and Kubernetes hand secrets to a container (/run/secrets/admin_key), so a
// key need sit neither in a command line nor in the environment itself.
const secretFileSuffix = "_FILE"

// maxSecretFileBytes bounds what is read: a key is short, and a path put
// there by mistake (a log, /dev/zero) must not be read whole.
const maxSecretFileBytes = 64 << 10

// keyVariables are the variables serve reads a key from that VAR_FILE may
// stand for; so may every MODELROUTER_UPSTREAM_<NAME>_API_KEY.
var keyVariables = []string{manage.EnvAdminKey, EnvPromptHashKey, EnvMetricsKey,
	"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AZURE_OPENAI_API_KEY", "DEEPSEEK_API_KEY", "XAI_API_KEY"}

func isKeyVariable(name string) bool {
	for _, v := range keyVariables {
		if name == v {
			return true
		}
	}
	rest, ok := strings.CutPrefix(name, genericUpstreamPrefix)
	return ok && strings.HasSuffix(rest, "_API_KEY") && rest != "_API_KEY"
}

// readSecretFiles returns environ with each key variable set from its
// VAR_FILE, if any, and the VAR_FILE each came from (by VAR), for
// messages. Each VAR_FILE is read by keyFromFile's rules; its errors are
// joined. A VAR or VAR_FILE that is empty counts as unset, as everywhere
// serve reads the environment.
func readSecretFiles(environ []string) (out []string, from map[string]string, err error) {
	env := envMap(environ)
	out, from = environ[:len(environ):len(environ)], map[string]string{}
	var errs []error
	read := map[string]bool{}
	for _, kv := range environ {
		fileVar, _, _ := strings.Cut(kv, "=")
		name, ok := strings.CutSuffix(fileVar, secretFileSuffix)
		// Each VAR_FILE once: keyFromFile reads the last of one set twice,
		// and its error, read again, would be listed twice.
		if !ok || !isKeyVariable(name) || read[name] {
			continue
		}
		read[name] = true
		key, err := keyFromFile(env, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if key == "" {
			continue
		}
		out = append(out, name+"="+key) // after VAR's empty entry, so envMap takes it
		from[name] = fileVar
	}
	return out, from, errors.Join(errs...)
}

// envKey is the key variable name as serve reads it from environ: name's
// value, or else the content of the file name_FILE names (keyFromFile),
// and the variable it came from ("" with neither), for messages. The CLI
// commands that send the admin key to a gateway read it so, as the gateway
// beside them does.
func envKey(environ []string, name string) (key, from string, err error) {
	env := envMap(environ)
	key, err = keyFromFile(env, name)
	switch {
	case err != nil:
		return "", "", err
	case key != "":
		return key, name + secretFileSuffix, nil
	case env[name] != "":
		return env[name], name, nil
	}
	return "", "", nil
}

// keyFromFile is the key in the file that name_FILE names in env (the last
// of a variable set twice, as everywhere), "" when that is unset or empty.
// name set too, a file that cannot be read, and one that holds nothing are
// each an error naming the variable; the key never shows.
func keyFromFile(env map[string]string, name string) (string, error) {
	fileVar := name + secretFileSuffix
	path := env[fileVar]
	if path == "" {
		return "", nil
	}
	if strings.TrimSpace(env[name]) != "" {
		return "", fmt.Errorf("%s and %s are both set: give the key one way only", name, fileVar)
	}
	key, err := readSecretFile(path)
	if err != nil {
		return "", fmt.Errorf("%s%s: %w", fileVar, shownPath(path), err)
	}
	return key, nil
}

// readSecretFile is the file's content less one trailing newline (\n or
// \r\n), which an editor or `echo` adds, and less a leading UTF-8 byte
// order mark, which Windows Notepad adds. Its errors leave the path out.
func readSecretFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", pathErr(err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFileBytes+1))
	switch {
	case err != nil:
		return "", pathErr(err)
	case len(b) > maxSecretFileBytes:
		return "", fmt.Errorf("over %d KiB, which no key is", maxSecretFileBytes>>10)
	}
	key, crlf := strings.CutSuffix(strings.TrimPrefix(string(b), "\ufeff"), "\r\n")
	if !crlf {
		key = strings.TrimSuffix(key, "\n")
	}
	if strings.TrimSpace(key) == "" {
		return "", errors.New("the file is empty")
	}
	return key, nil
}

// pathErr is err without the path that os puts in it (shownPath decides
// whether that is shown).
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// filePath is the form a secret file's path takes and a key (sk-...,
// hex) does not: absolute or ./-relative, of path characters.
var filePath = regexp.MustCompile(`^\.{0,2}/[A-Za-z0-9._/-]*$`)

// shownPath is the path, quoted after a space, when it is one: a file that
// exists, or a value of a path's form; else a key put in VAR_FILE for VAR
// (the slip of a missing _FILE) would reach the startup error, which lands
// in service logs.
func shownPath(path string) string {
	if _, err := os.Lstat(path); err == nil || filePath.MatchString(path) {
		return fmt.Sprintf(" %q", path)
	}
	return " (not shown: it may be a key)"
}
