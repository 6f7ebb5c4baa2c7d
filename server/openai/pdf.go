package openai

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"
)

// filePages estimates how many pages a file part holds, for the input
// token estimate: providers bill a PDF page by page (its text and an image
// of it). It counts the page objects ("/Type /Page") a base64 PDF, given
// as a data URL or bare, shows in the clear, each object once (an
// incremental save appends a page it changed again, under its number). A
// PDF that keeps them in compressed object streams shows none, a file
// that is no PDF has none, and a file given by id or URL is never
// fetched: each counts as one page, so the estimate errs low.
func filePages(fileData string) int {
	if _, data, ok := strings.Cut(fileData, ";base64,"); ok {
		fileData = data
	}
	if fileData == "" {
		return 1
	}
	pdf, err := base64.StdEncoding.DecodeString(fileData)
	if err != nil {
		if pdf, err = base64.RawStdEncoding.DecodeString(fileData); err != nil {
			return 1
		}
	}
	// Readers accept the header anywhere in the first 1,024 bytes.
	if !bytes.Contains(pdf[:min(len(pdf), 1024)], []byte("%PDF-")) {
		return 1
	}
	return max(pageObjects(pdf), 1)
}

// pageObjects counts the distinct objects whose dictionary has
// "/Type /Page" (any space between, "/Type/Page" too) not followed by a
// letter, which leaves out the "/Type /Pages" tree nodes.
func pageObjects(pdf []byte) int {
	seen := map[string]bool{}
	anonymous := 0
	// lastObj is where the last "obj" keyword before scanned starts (-1:
	// none). Each match looks only at the bytes after the one before it:
	// searching its whole 4 KB window anew cost 4 KB a match, and a body
	// of "/Type/Page" repeated took seconds.
	lastObj, scanned := -1, 0
	for i := 0; ; {
		j := bytes.Index(pdf[i:], []byte("/Page"))
		if j < 0 {
			return len(seen) + anonymous
		}
		at := i + j
		i = at + len("/Page")
		if i < len(pdf) && isLetter(pdf[i]) {
			continue
		}
		before := bytes.TrimRight(pdf[:at], " \t\r\n\f\x00")
		if !bytes.HasSuffix(before, []byte("/Type")) {
			continue
		}
		from := max(0, scanned-2) // a keyword may straddle scanned
		if k := bytes.LastIndex(pdf[from:at], []byte("obj")); k >= 0 {
			lastObj = from + k
		}
		scanned = at
		if id, ok := objectNumber(pdf[:at], lastObj); ok {
			seen[id] = true
		} else {
			anonymous++
		}
	}
}

// objectNumber reads "N G" of the "N G obj" that opens the object around
// the end of pdf, given where the last "obj" keyword in pdf starts (-1:
// none), unless that is an "endobj" (then no object is open). A page
// dictionary is short, so the keyword counts only in the last 4 KB.
func objectNumber(pdf []byte, k int) (string, bool) {
	start := max(0, len(pdf)-4096)
	if k < start || k-start >= 3 && string(pdf[k-3:k]) == "end" {
		return "", false
	}
	fields := bytes.Fields(pdf[max(start, k-24):k])
	if len(fields) < 2 {
		return "", false
	}
	n, g := fields[len(fields)-2], fields[len(fields)-1]
	if _, err := strconv.Atoi(string(n)); err != nil {
		return "", false
	}
	if _, err := strconv.Atoi(string(g)); err != nil {
		return "", false
	}
	return string(n) + " " + string(g), true
}

func isLetter(b byte) bool { return b|0x20 >= 'a' && b|0x20 <= 'z' }
