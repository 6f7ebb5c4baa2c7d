package models

import (
	"math"
	"unicode"
)

// Coefficients of EstimateTokens, fitted by weighted least squares (weights
// 1/tokens², i.e. minimising relative error) against the o200k_base
// `input_tokens` of the licensed canonical datasets (zeroeval-math, mmlu-pro,
// llmrouter: 11,585 prompts). TestEstimateTokensFit refits them and reports
// the median relative error per dataset.
//
// Character classes, not just characters, because o200k spends tokens very
// unevenly: an English word is about one token however long, a run of digits
// one token per three digits, and most punctuation and non-ASCII characters
// about one each. A chars-and-words-only fit has a 24 % median error on these
// data; this one about 5 %.
const (
	tokPerWord      = 0.8221 // whitespace-separated words
	tokPerLetter    = 0.0591 // ASCII letters (long words split into pieces)
	tokPerDigitRun3 = 1.4805 // groups of up to three digits in a digit run
	tokPerPunct     = 0.7736 // ASCII characters that are not letters, digits or space
	tokPerNonASCII  = 1.0713 // code points above U+007F
	tokIntercept    = -0.2345
)

// EstimateTokens estimates the o200k_base (GPT-4o / GPT-4.1 / GPT-5) token
// count of text without running a tokenizer. Median relative error on the
// canonical datasets is about 5 % (see TestEstimateTokensFit); use it where
// an exact count is not worth a tokenizer pass (rate-limit charges, context
// fit). Empty text is 0 tokens; any other text at least 1.
func EstimateTokens(text string) int {
	if text == "" {
		return 0
	}
	return countFeatures(text).estimate()
}

// EstimateJoinedTokens is EstimateTokens(strings.Join(texts, "\n")), the
// same number, counted without making the joined copy (for a large request
// that copy is about the size of its body). The features add up across the
// texts: the "\n" between two is a space, so it ends a word and a digit run
// just as the end of a text does, and counts as none of the features. The
// intercept and the rounding are applied once, to the sum, as they were to
// the joined text.
func EstimateJoinedTokens(texts []string) int {
	if len(texts) == 0 || len(texts) == 1 && texts[0] == "" {
		return 0 // the joined text is empty; two empty texts join to "\n"
	}
	var f tokenFeatures
	for _, t := range texts {
		f.add(countFeatures(t))
	}
	return f.estimate()
}

// tokenFeatures are the counts EstimateTokens is linear in.
type tokenFeatures struct {
	words, letters, digitGroups, punct, nonASCII float64
}

// add sums whole counts, so the sum is exact (float64 holds every integer
// up to 2^53) and the estimate the joined text's.
func (f *tokenFeatures) add(g tokenFeatures) {
	f.words += g.words
	f.letters += g.letters
	f.digitGroups += g.digitGroups
	f.punct += g.punct
	f.nonASCII += g.nonASCII
}

func (f tokenFeatures) estimate() int {
	est := tokIntercept + tokPerWord*f.words + tokPerLetter*f.letters + tokPerDigitRun3*f.digitGroups +
		tokPerPunct*f.punct + tokPerNonASCII*f.nonASCII
	return max(1, int(math.Round(est)))
}

func countFeatures(text string) tokenFeatures {
	var f tokenFeatures
	inWord, digitRun := false, 0
	endDigits := func() {
		f.digitGroups += float64((digitRun + 2) / 3)
		digitRun = 0
	}
	for _, r := range text {
		space := unicode.IsSpace(r)
		if !space && !inWord {
			f.words++
		}
		inWord = !space
		if r >= '0' && r <= '9' {
			digitRun++
			continue
		}
		endDigits()
		switch {
		case r > unicode.MaxASCII:
			if !space {
				f.nonASCII++
			}
		case space:
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			f.letters++
		default:
			f.punct++
		}
	}
	endDigits()
	return f
}
