package main

import (
	"fmt"
	"log/slog"
	"time"
	"unicode/utf8"

	"github.com/modelrouter/modelrouter/server/authlimit"
)

// minAdminKeyChars is the shortest admin key serve starts without a
// warning. The wrong-key limit lets each client address try
// authlimit.DefaultMaxFailures keys a minute, 14,400 a day, and as many
// again for every address a guesser has: a word or a short key a person
// picked and types falls to that, while 16 characters is what
// `openssl rand -hex 8` gives, 64 random bits, which no such rate
// exhausts. Length is all serve can tell: a long key may still be weak.
const minAdminKeyChars = 16

// warnShortKey says, once at start, that the admin or the metrics key
// (what names which) is short enough to be guessed: the two share the
// wrong-key limit, and so its reasoning. It never names the key, nor its
// length, which the key comparison keeps from timing (apikey.Same). serve
// starts all the same: refusing would break setups that work.
func warnShortKey(what, key string, log *slog.Logger) {
	if key == "" || utf8.RuneCountInString(key) >= minAdminKeyChars {
		return
	}
	perMinute := authlimit.DefaultMaxFailures * int(time.Minute/authlimit.DefaultWindow)
	log.Warn(fmt.Sprintf("%s is shorter than %d characters: the wrong-key limit lets each client address try %d wrong admin or metrics keys a minute, so a short key can be guessed; use a long random one, e.g. `openssl rand -hex 32`",
		what, minAdminKeyChars, perMinute))
}
