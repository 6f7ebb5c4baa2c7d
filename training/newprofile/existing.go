package newprofile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/modelrouter/modelrouter/models"
)

// ExistingProfileError refuses a profile the router model has already,
// saying how to change it. add-profile adds columns, it does not refit one,
// so a user with more ratings of a model it added was told to retrain,
// though the cheap way is to add the profile again to the model it was
// added to: this says which model that is and with which --model flags.
func ExistingProfileError(card models.Card, profile string) error {
	i := slices.IndexFunc(card.AddedProfiles, func(a models.AddedProfile) bool { return a.Profile == profile })
	if i < 0 {
		return fmt.Errorf("the router model already has a profile %q; retrain with `train --data` to change it, or name another with --profile", profile)
	}
	// The profiles added after it were anchored on it: they are added again too.
	embedded := embeddedContentHash()
	advice := addAgain(card.AddedProfiles[i:], embedded)
	// The model it was added to is gone where an add-profile in place or
	// with several --model overwrote it; the one the latest profile added
	// to the embedded model (else the first added) was added to is not.
	j := 0
	for k := i; k > 0; k-- {
		if card.AddedProfiles[k].BaseContentHash == embedded {
			j = k
			break
		}
	}
	if card.AddedProfiles[i].BaseContentHash != embedded && j < i {
		advice += ", or, without a copy of it (an add-profile in place or with several --model replaces it), " +
			addAgain(card.AddedProfiles[j:], embedded)
	}
	return fmt.Errorf("the router model already has a profile %q, which add-profile added: to refit it on newer labels, add it again to the router model it was added to, %s (--out may be the folder it is served from)",
		profile, advice)
}

// addAgain says which router model the first of added was added to and
// the flags that add them all again, in their order. add-profile takes
// each --model once, so a model added under two profile names is added
// again by a second add-profile on what the first wrote.
func addAgain(added []models.AddedProfile, embedded string) string {
	where := fmt.Sprintf("the one with content hash %s (name a copy of it with --router-model)", added[0].BaseContentHash)
	if added[0].BaseContentHash == embedded {
		where = "the embedded one (leave out --router-model)"
	}
	runs := []string{}
	for len(added) > 0 {
		n := 1
		for n < len(added) && !slices.ContainsFunc(added[:n], func(a models.AddedProfile) bool { return a.Model == added[n].Model }) {
			n++
		}
		runs = append(runs, addFlags(added[:n]))
		added = added[n:]
	}
	return where + ", with " + strings.Join(runs, ", then to the router model that wrote (--router-model its --out), with ")
}

// addFlags are the flags of one add-profile that adds added, each model
// in it once: --profile too when one is not its model's default name.
func addFlags(added []models.AddedProfile) string {
	named := slices.ContainsFunc(added, func(a models.AddedProfile) bool { return a.Profile != models.ProfileName(a.Model) })
	var flags []string
	for _, a := range added {
		flags = append(flags, "--model "+a.Model)
	}
	if named {
		for _, a := range added {
			flags = append(flags, "--profile "+a.Profile)
		}
	}
	return strings.Join(flags, " ")
}

// embeddedContentHash is the content hash of the router model built into
// the binary, "" when it has none.
func embeddedContentHash() string {
	files, err := models.Artifacts()
	if err != nil {
		return ""
	}
	card, err := models.ParseCard(files.RouterJSON)
	if err != nil {
		return ""
	}
	return card.ContentHash
}
