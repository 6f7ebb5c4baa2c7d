package classifier

import "github.com/modelrouter/modelrouter/router"

// EncodeWindow returns the token ids the router model reads of a routed
// text (router.PromptText). The last turn is truncated on its own to its
// first head and last tail tokens, exactly as a single prompt is in
// training and eval, so earlier messages never take the place of the start
// of the question asked now; the context before it gets only the room the
// last turn leaves, its first tokens (the earlier question before the
// answer). A text without context gives EncodeTruncated(text), so single
// prompts read as they always have.
func (t *Tokenizer) EncodeWindow(text string, head, tail int) []int64 {
	ctx, last := router.SplitPrompt(text)
	ids := t.EncodeTruncated(last, head, tail)
	room := window(head, tail) - len(ids)
	if ctx == "" || room <= 0 {
		return ids
	}
	return append(t.EncodeTruncated(ctx, room, 0), ids...)
}

// Window is EncodeWindow with any tokenizer: training reads routed texts
// through it (with the tokenizer it learns, whose encoder may fail), so a
// conversation from a dataset or the decision log is cut in training
// exactly as the classifier cuts it when routing.
func Window(text string, head, tail int, encode func(string) ([]int64, error)) ([]int64, error) {
	ctx, last := router.SplitPrompt(text)
	ids, err := encode(last)
	if err != nil {
		return nil, err
	}
	ids = Truncate(ids, head, tail)
	room := window(head, tail) - len(ids)
	if ctx == "" || room <= 0 {
		return ids, nil
	}
	c, err := encode(ctx)
	if err != nil {
		return nil, err
	}
	c = Truncate(c, room, 0)
	return append(c[:len(c):len(c)], ids...), nil // full slice: never writes into encode's array
}

// window is the most tokens the model reads of one text.
func window(head, tail int) int { return max(head, 0) + max(tail, 0) }
