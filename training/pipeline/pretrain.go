package pipeline

import (
	"fmt"
	"math"

	"github.com/modelrouter/modelrouter/classifier"
	"github.com/modelrouter/modelrouter/training/corpus"
	"github.com/modelrouter/modelrouter/training/pretrain"
)

// pretrainedEmbeddings learns token vectors (training/pretrain) from the
// model answers in opt.AnswersDir, plus the training prompts when
// opt.PretrainPrompts, and scales them to an RMS of opt.PretrainScale.
// Answers only (the default) keeps leave-one-out runs honest: no left-out
// prompt's text shapes the vectors.
func pretrainedEmbeddings(opt Options, tok []byte, c *corpus.Corpus, train []int, vocab, dim int) ([]float64, int, error) {
	answers, err := AnswerTexts(opt.AnswersDir, opt.PretrainAnswers)
	if err != nil {
		if !opt.PretrainPrompts {
			return nil, 0, fmt.Errorf("pretrain: %w (pass --answers-dir, or --pretrain-scale 0 for a random start)", err)
		}
		answers = nil
	}
	enc, err := classifier.NewTokenizer(tok)
	if err != nil {
		return nil, 0, err
	}
	docs := make([][]int64, 0, len(answers)+len(train))
	for _, a := range answers {
		docs = append(docs, enc.Encode(a))
	}
	if opt.PretrainPrompts {
		for _, i := range train {
			docs = append(docs, c.Examples[i].IDs)
		}
	}
	po := pretrain.DefaultOptions
	po.Dim, po.Seed = dim, opt.Seed
	vecs, err := pretrain.Vectors(docs, vocab, po)
	if err != nil {
		return nil, 0, err
	}
	ss := 0.0
	for _, v := range vecs {
		ss += v * v
	}
	if ss > 0 {
		k := opt.PretrainScale / math.Sqrt(ss/float64(len(vecs)))
		for i := range vecs {
			vecs[i] *= k
		}
	}
	return vecs, len(docs), nil
}
