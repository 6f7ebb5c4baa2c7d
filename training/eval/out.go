package eval

import (
	"encoding/json"

	"github.com/modelrouter/modelrouter/training/outdir"
)

// reportFiles are the files WriteDir writes, report.json first: an eval's
// folder is told by its report.json (even a stopped eval leaves it).
var reportFiles = outdir.Files{
	Command: "eval",
	Names:   []string{"report.json", "report.md", "predictions.jsonl", "curves.png", "share.png"},
	Mine:    isReport,
	What:    "an eval report (a JSON object with dataset, router and baselines)",
}

// CheckOut refuses, before any work, an eval --out folder that is not an
// eval's: WriteDir replaces its files without asking, which is what a
// rerun into the folder an earlier eval wrote wants, but not a router
// model's folder (an --out mistyped for --router-model) nor another tool's
// files that happen to have a report's names (outdir.Files.Check). A new or
// empty folder is fine.
func CheckOut(dir string) error { return reportFiles.Check(dir) }

// isReport reports whether b is a report.json an eval wrote: Report's
// dataset, router and baselines, there since eval's first report.
func isReport(b []byte) bool {
	var r struct {
		Dataset   *string                     `json:"dataset"`
		Router    *map[string]json.RawMessage `json:"router"`
		Baselines *map[string]json.RawMessage `json:"baselines"`
	}
	return json.Unmarshal(b, &r) == nil && r.Dataset != nil && r.Router != nil && r.Baselines != nil
}
