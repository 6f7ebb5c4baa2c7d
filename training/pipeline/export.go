package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/training/onnx"
	"github.com/modelrouter/modelrouter/training/pretrain"
)

// MaxONNXBytes is the size limit of router.onnx (it is embedded in the
// binary).
const MaxONNXBytes = 20 << 20

// CardName names the router model in router.json.
const CardName = "modelrouter-router"

// writeArtifacts writes router.onnx, tokenizer.json, router.json and
// PROVENANCE.md into opt.Out. Everything is encoded first, so a failure
// leaves the folder as it was.
func writeArtifacts(opt Options, res *Result) error {
	var model bytes.Buffer
	if err := onnx.Write(&model, res.Weights); err != nil {
		return err
	}
	if model.Len() > MaxONNXBytes {
		return fmt.Errorf("router.onnx would be %d bytes, over the %d limit: lower the vocabulary, buckets or dim", model.Len(), MaxONNXBytes)
	}
	card, err := buildCard(opt, res, model.Bytes())
	if err != nil {
		return err
	}
	cardJSON, err := json.MarshalIndent(card, "", "  ")
	if err != nil {
		return err
	}
	return WriteArtifactFiles(opt.Out, model.Bytes(), res.Tokenizer, cardJSON, provenance(opt, res, card, model.Len()))
}

// WriteArtifactFiles writes a router model's files into dir: router.onnx,
// tokenizer.json, router.json (the card, JSON-encoded) and PROVENANCE.md,
// each through a temporary file, so a reader never sees half of one.
func WriteArtifactFiles(dir string, model, tokenizer, cardJSON []byte, provenance string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data []byte
	}{
		{models.RouterONNXFile, model},
		{models.TokenizerJSONFile, tokenizer},
		{models.RouterJSONFile, append(cardJSON, '\n')},
		{"PROVENANCE.md", []byte(provenance)},
	} {
		if err := writeFileAtomic(filepath.Join(dir, f.name), f.data); err != nil {
			return err
		}
	}
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func buildCard(opt Options, res *Result, model []byte) (models.Card, error) {
	s := res.Weights.Spec
	oh, th, content := models.ContentHash(model, res.Tokenizer)
	metrics, err := json.Marshal(res.Metrics)
	if err != nil {
		return models.Card{}, err
	}
	now := time.Now().UTC()
	card := models.Card{
		Name: CardName, Version: now.Format("2006-01-02"), Created: now.Format(time.RFC3339),
		Profiles:    res.Corpus.Profiles,
		Spec:        models.ModelSpec{Vocab: s.Vocab, Buckets: s.Buckets, Dim: s.Dim, Hidden: s.Hidden, Z: s.Z, Profiles: s.Profiles, MaxLen: s.MaxLen, Pool: s.Pool},
		Truncation:  models.Truncation{Head: opt.Shape.Head, Tail: opt.Shape.Tail},
		Bands:       router.Bands{Balanced: res.Metrics.Bands.Balanced.Band, Cost: res.Metrics.Bands.Cost.Band},
		Metrics:     metrics,
		SHA256:      map[string]string{models.RouterONNXFile: oh, models.TokenizerJSONFile: th},
		ContentHash: content,
	}
	for _, d := range res.Corpus.Datasets {
		lic := d.Licence
		if lic == "" {
			lic = "none recorded (research use only)"
		}
		card.Training = append(card.Training, models.TrainingData{Name: d.Name, Licence: lic, Items: d.Items, Labels: d.QualityLabels + d.LengthLabels})
	}
	return card, nil
}

func provenance(opt Options, res *Result, card models.Card, onnxBytes int) string {
	var b strings.Builder
	m := res.Metrics
	v := m.Validation
	fmt.Fprintf(&b, "# Router model artifacts: provenance\n\n")
	fmt.Fprintf(&b, "This folder is embedded into the modelrouter binary (`models.Artifacts()`) and written by `modelrouter train`.\n\n")
	fmt.Fprintf(&b, "| file | what |\n| --- | --- |\n")
	table := "float32 embedding table"
	if res.Weights.Quantized() {
		table = "int8 embedding table with one float32 scale per row; every metric below is of these weights"
	}
	fmt.Fprintf(&b, "| `router.onnx` | the router model (%d bytes, %s): `input_ids`, `attention_mask` in; per-profile `quality`, `output_tokens` and `embedding` out |\n", onnxBytes, table)
	fmt.Fprintf(&b, "| `tokenizer.json` | WordPiece tokenizer (%d tokens) learned from the %d training prompts and %d Arena-Hard model answers |\n", card.Spec.Vocab, len(res.Train), res.TokenizerAnswers)
	fmt.Fprintf(&b, "| `router.json` | the model card: %d profiles in output order, truncation, bands, training data, metrics, content hash |\n\n", len(card.Profiles))
	fmt.Fprintf(&b, "## How it was made\n\n")
	fmt.Fprintf(&b, "- Command: `%s`\n", opt.Command)
	fmt.Fprintf(&b, "- Date: %s; seed %d; %s, %s/%s, %d workers; took %s\n", card.Created, opt.Seed, runtime.Version(), runtime.GOOS, runtime.GOARCH, opt.Workers, res.Elapsed.Round(time.Second))
	fmt.Fprintf(&b, "- Content hash: `%s`\n", card.ContentHash)
	pool := "mean"
	if card.Spec.Pool != "" {
		pool = card.Spec.Pool
	}
	fmt.Fprintf(&b, "- Architecture (training/arch): vocab %d, hashed pair buckets %d, dim %d, %s pooling of the token and pair rows, hidden %d, z %d, profiles %d, max %d tokens (first %d + last %d)\n",
		card.Spec.Vocab, card.Spec.Buckets, card.Spec.Dim, pool, card.Spec.Hidden, card.Spec.Z, card.Spec.Profiles, card.Spec.MaxLen, card.Truncation.Head, card.Truncation.Tail)
	t := m.Training
	exported := fmt.Sprintf("moving average of the steps (decay %g)", t.EMA)
	if t.EMA == 0 {
		exported = "the last step's (--ema 0: no average)"
	}
	fmt.Fprintf(&b, "- Training: AdamW (lr %g, weight decay %g), batch %d, %d epochs, exported weights = %s; loss = BCE over labelled (prompt, profile) pairs (non-binary scores as soft labels) + %g x MSE of log output tokens\n",
		t.LR, t.WeightDecay, t.Batch, t.Epochs, exported, t.LengthWeight)
	fmt.Fprintf(&b, "  + %g x within-prompt ranking loss (logistic loss on the logit difference of two models on one prompt, mean per prompt) + %g x cross-entropy of the prompt's dataset task from z (training-only head); initial draws scaled: embeddings x %g, first layer x %g\n",
		t.PairWeight, t.TaskWeight, t.EmbInit, t.W1Init)
	if t.TokenDrop > 0 {
		fmt.Fprintf(&b, "- Token dropout: each training prompt loses each token with probability %g, drawn again every epoch\n", t.TokenDrop)
	}
	if t.BiasInit == "joint" {
		b.WriteString("- Start: quality biases and dataset offsets fitted together to the labels' mean scores (logit(mean of profile m on dataset d) = bias m + offset d, weighted by label counts), so profiles labelled in different datasets start on one scale\n")
	}
	for _, l := range t.Levels {
		fmt.Fprintf(&b, "- Leaderboard levels (--levels): %s's model-level scores are the quality target of %d profiles on the %s prompts they answered (%d pairs, training only; never a validation label): %s\n",
			l.File, len(l.Models), l.Dataset, l.Labels, strings.Join(l.Models, ", "))
	}
	for _, h := range t.HiddenLabels {
		fmt.Fprintf(&b, "- Labels hidden for an experiment (--hide-labels): %d results of %s in %s\n", h.Results, h.Profile, h.Dataset)
	}
	if t.ProfileDecay > 0 {
		fmt.Fprintf(&b, "- Shared quality column: each profile's own column decays at %g towards a column shared by all profiles\n", t.ProfileDecay)
	}
	if t.Members > 1 {
		fmt.Fprintf(&b, "- %d members trained alike from seeds %d + k x %d and merged into one model that outputs the mean of their quality logits and log lengths (fit.Merge: embeddings side by side, block-diagonal layers); the architecture line above is the merged shape\n",
			t.Members, opt.Seed, memberSeedStep)
	}
	if t.PretrainScale > 0 {
		fmt.Fprintf(&b, "- Token embeddings start from co-occurrence vectors (training/pretrain: PPMI of token pairs within %d tokens, truncated SVD) of %d texts (Arena-Hard model answers%s), scaled to RMS %g; embedding step size x %g\n",
			pretrain.DefaultOptions.Window, t.PretrainTexts, map[bool]string{true: " and the training prompts", false: "; no benchmark prompt"}[opt.PretrainPrompts], t.PretrainScale, t.EmbLR)
	}
	plattFrom := "fitted on the validation prompts"
	if v.Prompts == 0 {
		plattFrom = "the identity: no validation prompts to fit it on"
	}
	fmt.Fprintf(&b, "- Per-dataset quality offsets learned in training (scores of different datasets are on different scales): %s. They are not exported: the ONNX quality uses their label-weighted mean (%.4f), then global Platt scaling (A %.4f, B %.4f) %s, both folded into QW/QB.\n\n",
		fmtMap(t.DatasetOffsets), t.InferenceOffset, v.Platt.A, v.Platt.B, plattFrom)
	if lc := m.LengthCorrection; lc != nil {
		b.WriteString(lengthCorrectionLine(lc))
	}
	fmt.Fprintf(&b, "## Data\n\n| dataset | licence | prompts | quality labels | length labels |\n| --- | --- | ---: | ---: | ---: |\n")
	for _, d := range res.Corpus.Datasets {
		lic := d.Licence
		if lic == "" {
			lic = "none (research use only)"
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d |\n", d.Name, lic, d.Items, d.QualityLabels, d.LengthLabels)
	}
	fmt.Fprintf(&b, "\nFolders: %s. Answers of commercial models are also subject to their providers' terms.\n", strings.Join(res.Datasets, ", "))
	if len(res.Skipped) > 0 {
		fmt.Fprintf(&b, "Skipped (no licence for the shipped model): %s.\n", strings.Join(res.Skipped, ", "))
	}
	fmt.Fprintf(&b, "Profiles are canonical model names (training/dataset.Canonical) of models with quality labels; arena-hard-lengths only adds output lengths for them. ")
	fmt.Fprintf(&b, "Reasoning profiles (o1-*) are trained on visible answer lengths only: their hidden reasoning tokens are not in the data, the catalog adds them.\n\n")
	if v.Prompts == 0 {
		fmt.Fprintf(&b, "## Validation\n\nNone (--val %g): no prompt was held out, so nothing was measured, the model is not calibrated (Platt A 1, B 0) and the bands were chosen on %s: Balanced %.3f, Cost %.3f.\n",
			opt.Val, m.Bands.ChosenOn, m.Bands.Balanced.Band, m.Bands.Cost.Band)
		writeLeaveOuts(&b, m)
		return b.String()
	}
	fmt.Fprintf(&b, "## Validation (%d held-out prompts, %.0f %%, identical texts kept on one side)\n\n", v.Prompts, 100*opt.Val)
	fmt.Fprintf(&b, "- BCE %.4f (a per-dataset, per-profile mean-score table, i.e. no prompt information: %.4f), ECE (10 bins) %.4f (cross-fitted %.4f) over %d quality pairs\n",
		v.BCE, v.LookupBCE, v.ECE, v.ECECrossFit, v.QualityPairs)
	fmt.Fprintf(&b, "- AUC: %s\n- Within-prompt AUC (ranking of models on the same prompt): %s\n", fmtMap(v.AUC), fmtMap(v.WithinPromptAUC))
	fmt.Fprintf(&b, "  - baselines: each model's mean training score on the dataset %s; on the dataset and task (category / benchmark) %s\n",
		fmtMap(v.ProfileOnlyAUC), fmtMap(v.TaskLookupAUC))
	fmt.Fprintf(&b, "- Within-task AUC (ranking a task's prompts for one model; any per-task table scores 0.5): %s (longer prompt = harder, no model: %s); for the gap between two models: %s\n",
		fmtMap(v.WithinTaskAUC), fmtMap(v.LengthOnlyWithinTaskAUC), fmtMap(v.WithinTaskGapAUC))
	fmt.Fprintf(&b, "- Length MAE (log tokens): %s\n", fmtMap(v.LengthMAELog))
	fmt.Fprintf(&b, "\n| dataset | router (Quality mode) | best single model | random | oracle |\n| --- | ---: | ---: | ---: | ---: |\n")
	for _, k := range sortedKeys(v.Routing) {
		r := v.Routing[k]
		fmt.Fprintf(&b, "| %s | %.4f | %.4f | %.4f | %.4f |\n", k, r.Router, r.BestSingle, r.Random, r.Oracle)
	}
	fmt.Fprintf(&b, "\nBands (largest on a 0.005 grid whose realised quality loss vs the best-predicted model stays within the limit on the %s prompts; cost = dataset prices x input tokens and true output tokens, predicted where the data has none); on validation:\n\n",
		m.Bands.ChosenOn)
	fmt.Fprintf(&b, "| mode | band | limit | quality loss | cost vs best-predicted |\n| --- | ---: | ---: | ---: | ---: |\n")
	fmt.Fprintf(&b, "| Balanced | %.3f | %.0f %% | %.2f %% | %.1f %% |\n", m.Bands.Balanced.Band, 100*m.Bands.MaxLossBalanced, 100*m.Bands.Balanced.Loss, 100*m.Bands.Balanced.CostShare)
	fmt.Fprintf(&b, "| Cost | %.3f | %.0f %% | %.2f %% | %.1f %% |\n", m.Bands.Cost.Band, 100*m.Bands.MaxLossCost, 100*m.Bands.Cost.Loss, 100*m.Bands.Cost.CostShare)
	writeLeaveOuts(&b, m)
	return b.String()
}

// writeLeaveOuts adds the leave-one-dataset-out and leave-one-task-out
// tables and how the unseen tasks chose the bands.
func writeLeaveOuts(b *strings.Builder, m Metrics) {
	if len(m.LeaveOneOut) > 0 {
		fmt.Fprintf(b, "\n## Leave one dataset out\n\nTrained on the training prompts of the other datasets, measured on all prompts of the left-out one, for the profiles labelled elsewhere; best single = the best of those profiles on that dataset in hindsight.\n\n")
		fmt.Fprintf(b, "| left out | epochs | pairs | AUC | within-prompt AUC | router mean score | best single |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
		for _, l := range m.LeaveOneOut {
			fmt.Fprintf(b, "| %s | %d | %d | %.4f | %.4f | %.4f | %.4f |\n", l.Dataset, l.Epochs, l.Pairs, l.AUC, l.WithinPromptAUC, l.Router, l.BestSingle)
		}
	}
	writeTaskLeaveOut(b, m.LeaveOneTaskOut)
	if u := m.UnseenBands; u != nil {
		fmt.Fprintf(b, "\nThe bands were chosen to keep a target loss (Balanced %.1f %%, Cost %.1f %%; limits %.0f %% and %.0f %%) on the validation prompts and on the unseen tasks' %d prompts together (each task's retrained model, the shipped Platt scaling); the target is the largest under which each task, under the band chosen without it, keeps the limit pooled over tasks. On the unseen tasks: Balanced %.2f %% quality loss at %.1f %% of the cost of the best-predicted model, Cost %.2f %% at %.1f %%. Each task under the band chosen without it, pooled: Balanced %.2f %% at %.1f %% (mean band %.3f), Cost %.2f %% at %.1f %% (mean band %.3f). Out of sample, each task under the target and band both chosen without it: Balanced %.2f %% at %.1f %% (mean band %.3f), Cost %.2f %% at %.1f %% (mean band %.3f).\n",
			100*m.Bands.TargetBalanced, 100*m.Bands.TargetCost, 100*m.Bands.MaxLossBalanced, 100*m.Bands.MaxLossCost, u.Prompts, 100*u.Balanced.Loss, 100*u.Balanced.CostShare, 100*u.Cost.Loss, 100*u.Cost.CostShare,
			100*u.CrossFitBalanced.Loss, 100*u.CrossFitBalanced.CostShare, u.CrossFitBalanced.Band, 100*u.CrossFitCost.Loss, 100*u.CrossFitCost.CostShare, u.CrossFitCost.Band,
			100*u.NestedBalanced.Loss, 100*u.NestedBalanced.CostShare, u.NestedBalanced.Band, 100*u.NestedCost.Loss, 100*u.NestedCost.CostShare, u.NestedCost.Band)
	}
}

// writeTaskLeaveOut adds the leave-one-task-out table and its summary.
func writeTaskLeaveOut(b *strings.Builder, tasks []LeaveOneTaskOut) {
	if len(tasks) == 0 {
		return
	}
	fmt.Fprintf(b, "\n## Leave one task out\n\nFor each task with enough prompts (an MMLU-Pro category, an LLMRouter benchmark), trained on the training prompts of everything else (also without copies of the task's texts elsewhere), for %d epochs, measured on all prompts of the task: how the router does on traffic unlike its training data. ", tasks[0].Epochs)
	fmt.Fprintf(b, "Profile only = each model's mean score on the dataset's other tasks, no prompt information; best single = the task's best model in hindsight; trained best = the model best on the other tasks.\n\n")
	fmt.Fprintf(b, "| left out | prompts | ranked pairs | within-prompt AUC | profile only | within-task AUC | length only | gap AUC | router mean score | best single | trained best |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	var auc, base, inTask, byLength, gap, router, best, trained float64
	wins := 0
	for _, t := range tasks {
		fmt.Fprintf(b, "| %s / %s | %d | %d | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f |\n", t.Dataset, t.Task, t.Prompts, t.RankedPairs,
			t.WithinPromptAUC, t.ProfileOnlyAUC, t.WithinTaskAUC, t.LengthOnlyWithinTaskAUC, t.WithinTaskGapAUC, t.Router, t.BestSingle, t.TrainedBestSingle)
		auc += t.WithinPromptAUC
		inTask += t.WithinTaskAUC
		byLength += t.LengthOnlyWithinTaskAUC
		gap += t.WithinTaskGapAUC
		base += t.ProfileOnlyAUC
		router, best, trained = router+t.Router, best+t.BestSingle, trained+t.TrainedBestSingle
		if t.Router >= t.BestSingle {
			wins++
		}
	}
	n := float64(len(tasks))
	fmt.Fprintf(b, "\nMean over %d tasks: within-prompt AUC %.4f (profile only %.4f); within-task AUC %.4f (longer prompt = harder: %.4f), gap AUC %.4f (0.5 without prompt information); Quality mode mean score %.4f vs best single %.4f (trained best %.4f), at or above the best single model on %d of %d tasks.\n",
		len(tasks), auc/n, base/n, inTask/n, byLength/n, gap/n, router/n, best/n, trained/n, wins, len(tasks))
}
