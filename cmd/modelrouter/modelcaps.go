package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/modelrouter/modelrouter/router"
)

// caps writes the capabilities the router leaves a model out for, one
// letter each or "-": R reasoning (followed by the hidden reasoning tokens
// expected per answer), T tools, V vision, S structured output, F file
// input, W web search, A audio output. The parameters a model takes by
// value (reasoning effort, verbosity) are too long for a letter: the third
// table of `models` lists them (writeParamsTable).
func caps(m router.Model) string {
	var b strings.Builder
	c := m.Capabilities
	for _, f := range []struct {
		on     bool
		letter string
	}{{c.Reasoning, "R"}, {c.Tools, "T"}, {c.Vision, "V"}, {c.StructuredOutput, "S"}, {c.Files, "F"},
		{c.WebSearch, "W"}, {c.AudioOutput, "A"}} {
		if f.on {
			b.WriteString(f.letter)
		} else {
			b.WriteString("-")
		}
	}
	if m.ReasoningTokens > 0 {
		fmt.Fprintf(&b, " +%.0f", m.ReasoningTokens)
	}
	return b.String()
}

// efforts is what a model takes as reasoning_effort: the values its
// catalog entry lists, "any" where it lists none and its provider judges
// the value, "-" where it takes none (the gateway drops one).
func efforts(c router.Capabilities) string {
	switch {
	case !c.TakesReasoningEffort():
		return "-"
	case len(c.ReasoningEfforts) == 0:
		return "any"
	}
	return strings.Join(c.ReasoningEfforts, ", ")
}

// verbosity is what a model takes as verbosity: the GPT-5 models' three
// values, or "-" (the gateway drops one).
func verbosity(c router.Capabilities) string {
	if c.Verbosity {
		return "low, medium, high"
	}
	return "-"
}

// yesOr is "yes" for a parameter a model takes, "-" for one the gateway
// drops on the way to it.
func yesOr(on bool) string {
	if on {
		return "yes"
	}
	return "-"
}

// writeParamsTable prints, by model ID, the values each model takes for
// the parameters routing_config.require_parameters filters on by value:
// reasoning_effort, verbosity, Chat's prediction and service_tier "flex".
func writeParamsTable(w io.Writer, v router.Version) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tREASONING EFFORT\tVERBOSITY\tPREDICTION\tFLEX")
	for _, m := range v.Models {
		c := m.Capabilities
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.ID, efforts(c), verbosity(c), yesOr(c.PredictedOutputs), yesOr(c.Flex))
	}
	return tw.Flush()
}

// listedModel is a catalog model as `models --json` prints it: every
// capability written out, false ones too, where catalog.json leaves a false
// one out, and reasoning_effort resolved, where the catalog leaves it out
// for "as reasoning says". A reader filtering the list then need not know
// either rule. Its capabilities hide the embedded model's (the shallower
// field wins in encoding/json).
type listedModel struct {
	router.Model
	Capabilities listedCaps `json:"capabilities"`
}

type listedCaps struct {
	Reasoning        bool     `json:"reasoning"`
	ReasoningEffort  bool     `json:"reasoning_effort"`
	ReasoningEfforts []string `json:"reasoning_efforts,omitempty"`
	Tools            bool     `json:"tools"`
	Vision           bool     `json:"vision"`
	StructuredOutput bool     `json:"structured_output"`
	Files            bool     `json:"files"`
	Verbosity        bool     `json:"verbosity"`
	WebSearch        bool     `json:"web_search"`
	AudioOutput      bool     `json:"audio_output"`
	PredictedOutputs bool     `json:"predicted_outputs"`
	Flex             bool     `json:"flex"`
}

// listedVersion is a router version as `models --json` prints it.
type listedVersion struct {
	Version string        `json:"version"`
	Models  []listedModel `json:"models"`
}

func listVersion(v router.Version) listedVersion {
	out := listedVersion{Version: v.Version, Models: make([]listedModel, 0, len(v.Models))}
	for _, m := range v.Models {
		c := m.Capabilities
		out.Models = append(out.Models, listedModel{Model: m, Capabilities: listedCaps{
			Reasoning: c.Reasoning, ReasoningEffort: c.TakesReasoningEffort(), ReasoningEfforts: c.ReasoningEfforts,
			Tools: c.Tools, Vision: c.Vision, StructuredOutput: c.StructuredOutput, Files: c.Files,
			Verbosity: c.Verbosity, WebSearch: c.WebSearch, AudioOutput: c.AudioOutput,
			PredictedOutputs: c.PredictedOutputs, Flex: c.Flex,
		}})
	}
	return out
}
