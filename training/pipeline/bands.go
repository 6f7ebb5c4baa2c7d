package pipeline

import (
	"fmt"
	"io"

	"github.com/modelrouter/modelrouter/training/calibrate"
)

// bandGrid is where the mode bands are chosen.
var bandGrid = calibrate.Grid(0.005, 0.5)

// Where the bands were chosen (Bands.ChosenOn).
const (
	chosenOnValidation = "validation"
	chosenOnUnseen     = "validation and unseen tasks"
	chosenOnUnseenOnly = "unseen tasks" // --val 0
	// --val 0 without unseen tasks: router.DefaultBands, chosen on nothing.
	chosenOnDefaults = "nothing: the router's default bands (no validation prompts)"
)

// targetSteps is how finely the in-sample loss a band is chosen for goes
// down from the mode's limit: in steps of a thousandth (0.1 point).
const targetSteps = 1000

// chooseBandsWithUnseen chooses each mode's band again, now that the
// leave-one-task-out runs have scored tasks the model never saw. Chosen
// on validation alone, the bands kept their limits on traffic like the
// training data but not on new tasks (Balanced lost 2.7 % there against
// its 2 %); users' traffic is the new task.
//
// A band is the largest that keeps a target loss on the validation
// prompts and on the unseen tasks' prompts together. With the mode's
// limit as the target, a task under the band chosen without it still
// lost more than the limit (Balanced 2.5 %): each new task is a surprise
// to the others. So the target starts at the limit and goes down until
// the cross-fit, each task under the band chosen without it, keeps the
// limit pooled over tasks. That choice of target used every task, so the
// whole rule is checked once more out of sample (nested): each task under
// the target and band chosen without it.
func chooseBandsWithUnseen(m *Metrics, val []calibrate.Prompt, tasks [][]calibrate.Prompt, log io.Writer) error {
	if len(tasks) == 0 || len(m.LeaveOneTaskOut) != len(tasks) {
		return nil
	}
	c := bandChooser{val: calibrate.NewSweep(val, bandGrid), tasks: make([]calibrate.Sweep, len(tasks)),
		all: calibrate.NewSweep(nil, bandGrid)}
	for i, t := range tasks {
		c.tasks[i] = calibrate.NewSweep(t, bandGrid)
		c.all = c.all.Plus(c.tasks[i])
	}
	if c.all.Prompts() == 0 {
		return nil
	}
	bal, err := c.choose(m.Bands.MaxLossBalanced)
	if err != nil {
		return err
	}
	cost, err := c.choose(m.Bands.MaxLossCost)
	if err != nil {
		return err
	}
	m.Bands.Balanced, m.Bands.Cost = roundBand(c.val.At(bal.band)), roundBand(c.val.At(cost.band))
	m.Bands.TargetBalanced, m.Bands.TargetCost = bal.target, cost.target
	m.Bands.ChosenOn = chosenOnUnseen
	if c.val.Prompts() == 0 {
		m.Bands.ChosenOn = chosenOnUnseenOnly
	}
	m.UnseenBands = &UnseenBands{Prompts: c.all.Prompts(),
		Balanced: roundBand(c.all.At(bal.band)), Cost: roundBand(c.all.At(cost.band)),
		CrossFitBalanced: roundBand(bal.crossFit), CrossFitCost: roundBand(cost.crossFit),
		NestedBalanced: roundBand(bal.nested), NestedCost: roundBand(cost.nested)}
	for i := range tasks {
		m.LeaveOneTaskOut[i].Balanced, m.LeaveOneTaskOut[i].Cost = roundBand(c.tasks[i].At(bal.band)), roundBand(c.tasks[i].At(cost.band))
	}
	u := m.UnseenBands
	fmt.Fprintf(log, "bands chosen on validation and %d unseen-task prompts: balanced %.3f for a %.1f %% loss (validation %.1f %% quality loss at %.0f %% of the cost; unseen tasks %.1f %% at %.0f %%, each task under the band chosen without it %.1f %% at %.0f %%, and under the target chosen without it %.1f %% at %.0f %%), cost %.3f for %.1f %% (%.1f %% at %.0f %%; %.1f %% at %.0f %%; %.1f %% at %.0f %%; %.1f %% at %.0f %%)\n",
		u.Prompts, m.Bands.Balanced.Band, 100*bal.target, 100*m.Bands.Balanced.Loss, 100*m.Bands.Balanced.CostShare, 100*u.Balanced.Loss, 100*u.Balanced.CostShare,
		100*u.CrossFitBalanced.Loss, 100*u.CrossFitBalanced.CostShare, 100*u.NestedBalanced.Loss, 100*u.NestedBalanced.CostShare,
		m.Bands.Cost.Band, 100*cost.target, 100*m.Bands.Cost.Loss, 100*m.Bands.Cost.CostShare, 100*u.Cost.Loss, 100*u.Cost.CostShare,
		100*u.CrossFitCost.Loss, 100*u.CrossFitCost.CostShare, 100*u.NestedCost.Loss, 100*u.NestedCost.CostShare)
	return nil
}

// bandChooser holds what every band does on the validation prompts and
// on each unseen task, so that bands can be chosen without any task or
// pair of tasks by subtracting their sums.
type bandChooser struct {
	val   calibrate.Sweep
	tasks []calibrate.Sweep
	all   calibrate.Sweep // every task
}

// bandChoice is one mode's band, the target loss it was chosen for, and
// what the rule does on tasks it did not see.
type bandChoice struct {
	band     int     // index into bandGrid
	target   float64 // the loss the band keeps on validation and the unseen tasks
	crossFit calibrate.BandResult
	nested   calibrate.BandResult
}

// choose applies the rule for a mode whose loss limit is limit.
func (c bandChooser) choose(limit float64) (bandChoice, error) {
	var ch bandChoice
	var err error
	if ch.target, ch.crossFit, err = c.target(limit, -1); err != nil {
		return ch, err
	}
	if ch.band, err = c.band(ch.target, -1, -1); err != nil {
		return ch, err
	}
	at := make([]int, len(c.tasks))
	for i := range c.tasks {
		target, _, err := c.target(limit, i)
		if err != nil {
			return ch, err
		}
		if at[i], err = c.band(target, i, -1); err != nil {
			return ch, err
		}
	}
	ch.nested = calibrate.Pooled(c.tasks, at)
	return ch, nil
}

// band is the largest band keeping target on validation and on the
// unseen tasks other than skip1 and skip2 (-1 skips none).
func (c bandChooser) band(target float64, skip1, skip2 int) (int, error) {
	rest := c.all
	for _, i := range []int{skip1, skip2} {
		if i >= 0 {
			rest = rest.Minus(c.tasks[i])
		}
	}
	return calibrate.ChooseOn([]calibrate.Sweep{c.val, rest}, target)
}

// target is the largest target, from limit down in thousandths, under
// which each task but skip, put under the band chosen without it (and
// without skip), loses at most limit pooled over those tasks; with the
// cross-fit result there. Where none does, the target is 0.
func (c bandChooser) target(limit float64, skip int) (float64, calibrate.BandResult, error) {
	var sweeps []calibrate.Sweep
	var held []int
	for i, t := range c.tasks {
		if i != skip {
			sweeps, held = append(sweeps, t), append(held, i)
		}
	}
	at := make([]int, len(sweeps))
	var res calibrate.BandResult
	for k := int(limit*targetSteps + 0.5); k >= 0; k-- {
		target := float64(k) / targetSteps
		for j, i := range held {
			var err error
			if at[j], err = c.band(target, i, skip); err != nil {
				return 0, res, err
			}
		}
		res = calibrate.Pooled(sweeps, at)
		if res.Loss <= limit || k == 0 {
			return target, res, nil
		}
	}
	return 0, res, nil
}
