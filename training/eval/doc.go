// Package eval measures a router model on a routing dataset: it runs the
// router's mode policy on every prompt whose candidates all carry a label,
// scores the chosen model with its true score and true cost, and compares
// the result with baselines on the same prompts (a random router, each
// single model, the oracle, a TF-IDF nearest-neighbour router trained on
// a split of the same data and, when asked (Options.Fitted), the router
// model with each candidate's profile fitted on that same split).
//
// Metrics:
//   - per mode (quality, balanced, cost): mean true quality, mean cost per
//     prompt (dataset prices x input tokens and true output tokens) and the
//     share of calls per model;
//   - the quality-cost curve over a sweep of quality bands and its AIQ
//     (RouterBench);
//   - for a two-model candidate set, APGR and CPT(50%), CPT(80%) (RouteLLM)
//     over a threshold sweep of the predicted gain of the strong model.
package eval
