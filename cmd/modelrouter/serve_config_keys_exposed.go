package main

import (
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
)

// The mode bits that give a file to accounts other than its owner.
const (
	othersRead  fs.FileMode = 0o044
	othersWrite fs.FileMode = 0o022
)

// exposedKeys is a config file's mode and the key fields that mode gives
// away: what others may read (keys written out, not as ${VAR}), and what
// others may redirect (every key the file gives a provider or the gateway,
// ${VAR} ones too: whoever may change the file may point a provider's
// base_url at a server of theirs, which the key is then sent to). A file
// others may change gives away serve's environment even when it names no
// key: they may add a provider with "api_key": "${OPENAI_API_KEY}".
type exposedKeys struct {
	mode          fs.FileMode
	read, changed bool
	fields        []string
}

// keysExposedBy is what mode exposes of the key fields written in the file
// and those it names as ${VAR} only; nil when nothing. The fields are
// sorted: providers are decoded in a map's order, and the line should read
// the same at every start.
func keysExposedBy(mode fs.FileMode, written, named []string) *exposedKeys {
	k := exposedKeys{mode: mode}
	if mode&othersRead != 0 && len(written) > 0 {
		k.read = true
		k.fields = append(k.fields, written...)
	}
	if mode&othersWrite != 0 {
		k.changed = true
		k.fields = append(k.fields, written...)
		k.fields = append(k.fields, named...)
	}
	if !k.read && !k.changed {
		return nil
	}
	slices.Sort(k.fields)
	k.fields = slices.Compact(k.fields)
	return &k
}

// message says what the mode allows others, and what to do about it. A
// file others may change is not made safe by moving its keys to ${VAR}.
func (k exposedKeys) message() string {
	switch {
	case k.read && k.changed:
		return "config file holds keys and other accounts may read it, and change it to send a key to a server of theirs (base_url): chmod 600 it"
	case k.changed && len(k.fields) > 0:
		return "config file gives keys to providers and other accounts may change it to send a key to a server of theirs (base_url): chmod 600 it"
	case k.changed:
		return "config file names no key, but other accounts may change it to send one from the environment to a server of theirs (a provider with their base_url and an api_key of ${VAR}): chmod 600 it"
	}
	return "config file holds keys and other accounts may read it: chmod 600 it, or give the keys as ${VAR} from the environment"
}

// warnKeysExposed says, once at start, that the config file gives its
// keys to other accounts: 0644, what an editor or `cat >` makes under the
// usual umask, lets any user of the host read the provider keys and the
// admin key; 0664 (umask 002) lets the file's group send them, or the
// environment's, elsewhere. The fields are named (none where the file
// names no key), never the keys.
func warnKeysExposed(o serveOptions, log *slog.Logger) {
	k := o.configKeysExposed
	if k == nil {
		return
	}
	attrs := []any{"file", o.configPath, "mode", fmt.Sprintf("%04o", uint32(k.mode))}
	if len(k.fields) > 0 {
		attrs = append(attrs, "keys", strings.Join(k.fields, ","))
	}
	log.Warn(k.message(), attrs...)
}
