package main

import (
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
)

// readableKeys is a config file's mode and the key fields it holds
// written out (not as ${VAR}), when its mode lets others read it.
type readableKeys struct {
	mode   fs.FileMode
	fields []string
}

// warnKeysReadable says, once at start, that the config file gives its
// keys to every account that may read it: 0644, what an editor or `cat >`
// makes under the usual umask, lets any user of the host read the
// provider keys and the admin key. The fields are named, never the keys.
func warnKeysReadable(o serveOptions, log *slog.Logger) {
	k := o.configKeysReadable
	if k == nil {
		return
	}
	log.Warn("config file holds keys and other accounts may read it: chmod 600 it, or give the keys as ${VAR} from the environment",
		"file", o.configPath, "mode", fmt.Sprintf("%04o", uint32(k.mode)), "keys", strings.Join(k.fields, ","))
}
