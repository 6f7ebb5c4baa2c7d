package classifier

// Truncate fits ids into the model's window of head+tail tokens. Longer
// inputs keep their first head and last tail tokens: long prompts usually
// frame the task at the start and ask the question at the end. ids is never
// modified; an input that fits is returned as is. Training uses the same
// function, so the model sees prompts the way the classifier cuts them.
func Truncate(ids []int64, head, tail int) []int64 {
	head, tail = max(head, 0), max(tail, 0)
	if len(ids) <= head+tail {
		return ids
	}
	if tail == 0 {
		return ids[:head]
	}
	return append(ids[:head:head], ids[len(ids)-tail:]...) // full slice: copies
}
