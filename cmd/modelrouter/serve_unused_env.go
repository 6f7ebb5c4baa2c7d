package main

import (
	"cmp"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// unusedVariable is a variable set in serve's environment that serve does
// not read, as it is set: needs names the variable it is read beside,
// which is not set ("" when serve reads it nowhere).
type unusedVariable struct{ name, needs string }

// Variables modelrouter's other commands, its tests and its benchmarks
// read: not a misspelling where serve meets them.
var (
	otherMODELROUTERVariables = []string{"MODELROUTER_URL", "MODELROUTER_DATA", "MODELROUTER_ARTIFACTS",
		"MODELROUTER_SHARED", "MODELROUTER_SHARED_DATA", "MODELROUTER_INIT_RUNTIME_CHILD",
		"MODELROUTER_LOAD", "MODELROUTER_SHUTDOWN_LOAD"}
	otherMODELROUTERPrefixes = []string{"MODELROUTER_LOAD_", "MODELROUTER_SHUTDOWN_LOAD_", "MODELROUTER_TEST_"}
	// upstreamSuffixes are what follows MODELROUTER_UPSTREAM_<NAME> (a
	// key's _API_KEY_FILE is a key variable's VAR_FILE).
	upstreamSuffixes = []string{"_BASE_URL", "_API_KEY", "_KIND", "_API_VERSION", "_OPENAI_API", "_HOSTED_TOOLS"}
)

// unusedEnv lists what serve's environment sets that changes nothing, by
// name, for a warning at start (a key set alone may be meant for another
// program, so it does not refuse): a MODELROUTER_ variable serve does not
// know (a misspelling: MODELROUTER_ADMINKEY), a
// MODELROUTER_UPSTREAM_<NAME>_API_KEY without its _BASE_URL, and
// AZURE_OPENAI_API_KEY or OPENAI_API_VERSION without
// AZURE_OPENAI_ENDPOINT. A variable the configuration file names as
// ${VAR} is used. A key given as VAR_FILE is named so.
func unusedEnv(o serveOptions) []unusedVariable {
	env := envMap(o.environ)
	set := func(k string) bool { return strings.TrimSpace(env[k]) != "" }
	var out []unusedVariable
	for _, k := range sortedKeys(env) {
		if !set(k) || o.fileVars[k] {
			continue
		}
		shown := cmp.Or(o.keyFiles[k], k)
		switch {
		case k == "AZURE_OPENAI_API_KEY" || k == "OPENAI_API_VERSION":
			if !set("AZURE_OPENAI_ENDPOINT") {
				out = append(out, unusedVariable{shown, "AZURE_OPENAI_ENDPOINT"})
			}
		case strings.HasPrefix(k, genericUpstreamPrefix) && isKeyVariable(k):
			if base := strings.TrimSuffix(k, "_API_KEY") + "_BASE_URL"; !set(base) {
				out = append(out, unusedVariable{shown, base})
			}
		case strings.HasPrefix(k, "MODELROUTER_") && !knownMODELROUTERVariable(k):
			out = append(out, unusedVariable{k, ""})
		}
	}
	return out
}

// knownMODELROUTERVariable reports whether some part of modelrouter reads
// the variable k, which begins MODELROUTER_.
func knownMODELROUTERVariable(k string) bool {
	switch k {
	case EnvConfig, manage.EnvAdminKey, EnvPromptHashKey, EnvMetricsKey:
		return true
	}
	if name, ok := strings.CutSuffix(k, secretFileSuffix); ok && isKeyVariable(name) {
		return true
	}
	if slices.Contains(otherMODELROUTERVariables, k) {
		return true
	}
	for _, p := range otherMODELROUTERPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	if rest, ok := strings.CutPrefix(k, genericUpstreamPrefix); ok {
		for _, s := range upstreamSuffixes {
			if name, ok := strings.CutSuffix(rest, s); ok && name != "" {
				return true
			}
		}
	}
	return false
}

// warnUnusedEnv says once at start what unusedEnv finds: the operator
// who set it thinks it on. Names only, never values (a key may be one).
func warnUnusedEnv(o serveOptions, log *slog.Logger) {
	var unknown []string
	for _, v := range unusedEnv(o) {
		if v.needs == "" {
			unknown = append(unknown, v.name)
			continue
		}
		log.Warn("environment variable not used: it is read only beside another, which is not set", "variable", v.name, "needs", v.needs)
	}
	if len(unknown) > 0 {
		log.Warn("environment variables modelrouter does not read (misspelt?): not used", "variables", strings.Join(unknown, ","))
	}
}

// warnUnreadSettings says once at start which settings validate found
// serve does not read as given: a provider's _KIND or _API_VERSION without
// its own _BASE_URL, an api_version on a provider not of kind azure.
func warnUnreadSettings(o serveOptions, log *slog.Logger) {
	for _, s := range o.unreadSettings {
		log.Warn("setting not used", "setting", s.name, "why", s.why)
	}
}

// replacedEntry is a configuration file's provider entry that the
// environment replaces whole (mergeProviders), named by its field, with
// the variables that configure the environment's provider.
type replacedEntry struct {
	entry     string
	variables []string
}

// replacedFileEntries lists the file's provider entries the environment
// replaces and that differ from what replaces them (a base_url at a local
// server, beside an exported OPENAI_API_KEY): the file's settings are not
// used. An entry the environment gives again ("api_key":
// "${OPENAI_API_KEY}" with OPENAI_API_KEY set) is left out.
func replacedFileEntries(o serveOptions) []replacedEntry {
	env := envMap(o.environ)
	getenv := func(k string) string { return env[k] }
	envProviders := upstream.FromEnviron(o.environ)
	file := o.fileProviders.ByName
	if d := o.fileProviders.Default; d != nil && envProviders.Default != nil {
		file = maps.Clone(file)
		file["default"] = *d
	}
	var out []replacedEntry
	for _, name := range sortedKeys(file) {
		p, replaced := envProviders.ByName[name]
		if name == "default" && envProviders.Default != nil {
			p, replaced = *envProviders.Default, true
		}
		if !replaced || sameProvider(file[name], p) {
			continue
		}
		base, _ := upstream.EnvSettings(getenv, name)
		var vars []string
		for _, v := range []string{base, keyVariable(base)} {
			if strings.TrimSpace(env[v]) != "" {
				vars = append(vars, cmp.Or(o.keyFiles[v], v))
			}
		}
		out = append(out, replacedEntry{"providers." + name, vars})
	}
	return out
}

func sameProvider(a, b upstream.Provider) bool {
	return a.Kind == b.Kind && a.BaseURL == b.BaseURL && a.APIKey == b.APIKey && a.APIVersion == b.APIVersion &&
		a.OpenAIAPI == b.OpenAIAPI && slices.Equal(a.HostedTools, b.HostedTools)
}

// warnReplacedFileEntries says once at start which of the file's entries
// the environment replaces: documented, but an operator who edits the
// file's base_url sees no change without it.
func warnReplacedFileEntries(o serveOptions, log *slog.Logger) {
	for _, r := range replacedFileEntries(o) {
		log.Warn("configuration file's provider entry not used: the environment configures that provider, which replaces the entry whole; unset the variables or give the entry another name",
			"entry", r.entry, "variables", strings.Join(r.variables, ","))
	}
}
