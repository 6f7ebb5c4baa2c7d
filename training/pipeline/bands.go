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
)

// chooseBandsWithUnseen chooses each mode's band again, now that the
// leave-one-task-out runs have scored tasks the model never saw: the
// largest band whose realised quality loss keeps the limit both on the
// validation prompts and on the unseen tasks' prompts together. Chosen on
// validation alone, the bands kept their limits on traffic like the
// training data but not on new tasks (Balanced lost 2.7 % there against
// its 2 %); users' traffic is the new task. About eleven thousand unseen
// prompts next to a thousand validation ones also make the choice less
// noisy.
//
// What the chosen bands do on the unseen tasks is then in sample, so it
// also measures them out of sample: each task under the bands chosen
// without it, on validation and the other tasks, pooled over tasks.
func chooseBandsWithUnseen(m *Metrics, val []calibrate.Prompt, tasks [][]calibrate.Prompt, log io.Writer) error {
	if len(tasks) == 0 || len(m.LeaveOneTaskOut) != len(tasks) {
		return nil
	}
	valS := calibrate.NewSweep(val, bandGrid)
	taskS := make([]calibrate.Sweep, len(tasks))
	all := calibrate.NewSweep(nil, bandGrid)
	for i, t := range tasks {
		taskS[i] = calibrate.NewSweep(t, bandGrid)
		all = all.Plus(taskS[i])
	}
	if all.Prompts() == 0 {
		return nil
	}
	choose := func(maxLoss float64) (g int, crossFit calibrate.BandResult, err error) {
		if g, err = calibrate.ChooseOn([]calibrate.Sweep{valS, all}, maxLoss); err != nil {
			return 0, crossFit, err
		}
		without := make([]int, len(tasks))
		for i := range tasks {
			if without[i], err = calibrate.ChooseOn([]calibrate.Sweep{valS, all.Minus(taskS[i])}, maxLoss); err != nil {
				return 0, crossFit, err
			}
		}
		return g, calibrate.Pooled(taskS, without), nil
	}
	bal, balCF, err := choose(m.Bands.MaxLossBalanced)
	if err != nil {
		return err
	}
	cost, costCF, err := choose(m.Bands.MaxLossCost)
	if err != nil {
		return err
	}
	m.Bands.Balanced, m.Bands.Cost = roundBand(valS.At(bal)), roundBand(valS.At(cost))
	m.Bands.ChosenOn = chosenOnUnseen
	if valS.Prompts() == 0 {
		m.Bands.ChosenOn = chosenOnUnseenOnly
	}
	m.UnseenBands = &UnseenBands{Prompts: all.Prompts(),
		Balanced: roundBand(all.At(bal)), Cost: roundBand(all.At(cost)),
		CrossFitBalanced: roundBand(balCF), CrossFitCost: roundBand(costCF)}
	for i := range tasks {
		m.LeaveOneTaskOut[i].Balanced, m.LeaveOneTaskOut[i].Cost = roundBand(taskS[i].At(bal)), roundBand(taskS[i].At(cost))
	}
	u := m.UnseenBands
	fmt.Fprintf(log, "bands chosen on validation and %d unseen-task prompts: balanced %.3f (validation %.1f %% quality loss at %.0f %% of the cost; unseen tasks %.1f %% at %.0f %%, each task under bands chosen without it %.1f %% at %.0f %%), cost %.3f (%.1f %% at %.0f %%; %.1f %% at %.0f %%; %.1f %% at %.0f %%)\n",
		u.Prompts, m.Bands.Balanced.Band, 100*m.Bands.Balanced.Loss, 100*m.Bands.Balanced.CostShare, 100*u.Balanced.Loss, 100*u.Balanced.CostShare,
		100*u.CrossFitBalanced.Loss, 100*u.CrossFitBalanced.CostShare,
		m.Bands.Cost.Band, 100*m.Bands.Cost.Loss, 100*m.Bands.Cost.CostShare, 100*u.Cost.Loss, 100*u.Cost.CostShare,
		100*u.CrossFitCost.Loss, 100*u.CrossFitCost.CostShare)
	return nil
}
