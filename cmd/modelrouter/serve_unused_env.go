package main

import (
	"log/slog"
	"slices"
	"strings"

	"github.com/modelrouter/modelrouter/server/manage"
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
	// upstreamSuffixes are what follows MODELROUTER_UPSTREAM_<NAME>.
	upstreamSuffixes = []string{"_BASE_URL", "_API_KEY", "_API_KEY" + secretFileSuffix, "_KIND", "_API_VERSION", "_OPENAI_API", "_HOSTED_TOOLS"}
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
		shown := k
		if from := o.keyFiles[k]; from != "" {
			shown = from
		}
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

const genericUpstreamPrefix = "MODELROUTER_UPSTREAM_"

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
