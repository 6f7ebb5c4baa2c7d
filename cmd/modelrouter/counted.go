package main

import "strconv"

// counted writes a count with its noun in the number the count takes ("1
// prompt", "0 prompts", "2 prompts"). Both forms are given, not derived,
// since the nouns the commands count are phrases ("labelled answer", "model
// never chosen") whose plural is not always the last word plus s.
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
