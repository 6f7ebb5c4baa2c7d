package dataset

import (
	"fmt"
	"slices"
	"strings"
)

// Tasks returns the dataset's tasks in the order they first appear.
func (d *Dataset) Tasks() []string {
	var out []string
	seen := map[string]bool{}
	for _, it := range d.Items {
		if !seen[it.Task] {
			seen[it.Task] = true
			out = append(out, it.Task)
		}
	}
	return out
}

// WithTasks returns a copy holding only the items of the named tasks, so
// that one benchmark of a dataset that mixes several can be measured on
// its own (RouteLLM reports APGR per benchmark). Its Name says which
// tasks it holds. Naming a task the dataset lacks is an error that lists
// the tasks it has.
func (d *Dataset) WithTasks(tasks ...string) (*Dataset, error) {
	have := d.Tasks()
	for _, t := range tasks {
		if !slices.Contains(have, t) {
			return nil, fmt.Errorf("dataset %s has no task %q (tasks: %s)", d.Name, t, strings.Join(have, ", "))
		}
	}
	out := &Dataset{Name: d.Name + " task " + strings.Join(tasks, ","), Dir: d.Dir, Models: d.Models, priceGaps: d.priceGaps}
	for _, it := range d.Items {
		if slices.Contains(tasks, it.Task) {
			out.Items = append(out.Items, it)
		}
	}
	return out, nil
}
