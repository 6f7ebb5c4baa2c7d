package main

import (
	"fmt"
	"io"
	"log"
	"log/slog"
	"slices"
	"strings"
)

// logFormats and logLevels are what --log-format and --log-level take
// (log_format, log_level in the config file): text is slog's key=value
// lines, json one JSON object a line for a log shipper (Loki, ELK,
// Datadog, CloudWatch) to read without a parser of its own.
var (
	logFormats = []string{"text", "json"}
	logLevels  = []string{"debug", "info", "warn", "error"}
)

// slogLevel is --log-level as slog's level; validate has refused any other
// word than logLevels', each of which slog's own names read.
func (o *serveOptions) slogLevel() slog.Level {
	var level slog.Level
	if level.UnmarshalText([]byte(logWord(o.logLevel))) != nil {
		return slog.LevelInfo
	}
	return level
}

// newLogger is the logger everything serve logs goes through, on w in
// --log-format from --log-level up.
func (o *serveOptions) newLogger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: o.slogLevel()}
	if logWord(o.logFormat) == "json" {
		opts.ReplaceAttr = durationText
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// durationText writes a duration as the text log and the flags do
// ("grace":"30s"), not as the JSON handler's nanoseconds (30000000000).
func durationText(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		return slog.String(a.Key, a.Value.Duration().String())
	}
	return a
}

// logSettingProblems are validate's lines for a --log-format or
// --log-level it does not take. A word in the wrong case is taken (WARN,
// JSON), as operators write levels so.
func (o *serveOptions) logSettingProblems() []string {
	var problems []string
	check := func(field, v string, valid []string, want string) {
		switch w := logWord(v); {
		case w == "":
			problems = append(problems, fmt.Sprintf("%s: empty; want %s", field, want))
		case !slices.Contains(valid, w):
			problems = append(problems, fmt.Sprintf("%s%s: want %s", field, shownKind(w), want))
		}
	}
	check("log_format", o.logFormat, logFormats, "text or json")
	check("log_level", o.logLevel, logLevels, "debug, info, warn or error")
	return problems
}

func logWord(v string) string { return strings.ToLower(strings.TrimSpace(v)) }

// httpErrorLog is the log of an http.Server's own errors (an accept error
// such as too many open files, a handler's panic or superfluous
// WriteHeader; a malformed request is answered 400 and not logged): through
// serve's handler at Warn, rather than the log package's plain lines on
// stderr.
func httpErrorLog(l *slog.Logger) *log.Logger {
	return slog.NewLogLogger(l.Handler(), slog.LevelWarn)
}
