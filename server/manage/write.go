package manage

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/modelrouter/modelrouter/router"
)

// written is what a PUT stored.
type written struct {
	name    string // as stored
	res     Resource
	tag     string
	created bool
}

// putChecked stores in as deployment name in st once the validation rules
// and the preconditions of h pass, reading st for both, so that with a
// store's write transaction nothing can change between the checks and the
// write.
func (a *API) putChecked(ctx context.Context, st Store, name string, in Resource, h http.Header) (written, error) {
	// The deployment keeps the name it was created with: a PUT of "Mr"
	// replaces "mr". The built-in one is spelled as it always is.
	stored, prev, tag, err := load(ctx, st, name)
	found := err == nil
	if !found && router.ErrorCode(err) != router.ENotFound {
		return written{}, err
	}
	if !found && isDefaultName(name) {
		tag = a.builtInETag() // GET shows it: it exists
	}
	// No deployment is made under a reserved name; one an earlier build
	// stored there may be paused and resumed (by a PUT of it changing only
	// deploymentState here, or Azure's actions, setState), as a deployment
	// that is kept must, and is otherwise only deleted.
	if router.IsReservedDeploymentName(name) && !(found && onlyStateChanged(prev, in)) {
		return written{}, reservedName(name, found)
	}
	replaces := ""
	if found {
		replaces = stored
	}
	// Validated against the deployments as they will be: the one this
	// PUT replaces no longer deploys its model once it is written.
	res, err := a.catalog.normalize(ctx, st, name, replaces, in)
	if err != nil {
		return written{}, err
	}
	switch {
	case found:
		name = stored
		if err := checkUnused(ctx, st, name, prev, &res); err != nil {
			return written{}, err
		}
	case isDefaultName(name):
		name = DefaultDeployment
	}
	if err := checkPreconditions(h, name, tag); err != nil {
		return written{}, err
	}
	now := a.now().UTC()
	res.SystemData = &SystemData{CreatedAt: now, LastModifiedAt: now}
	if prev.SystemData != nil {
		res.SystemData.CreatedAt = prev.SystemData.CreatedAt
	}
	raw, err := json.Marshal(res)
	if err != nil {
		return written{}, err
	}
	a.checked()
	created, err := st.PutDeployment(ctx, name, raw)
	if err != nil {
		return written{}, err
	}
	return written{name: name, res: res, tag: etagOf(raw), created: created}, nil
}

// deleteChecked deletes deployment name from st once the checks and the
// preconditions of h pass, reading st for both as putChecked does, and
// reports whether there was one to delete.
func (a *API) deleteChecked(ctx context.Context, st Store, name string, h http.Header) (bool, error) {
	name, prev, tag, err := load(ctx, st, name)
	if err != nil {
		if router.ErrorCode(err) != router.ENotFound {
			return false, err
		}
		if isDefaultName(name) {
			return false, &router.Error{Code: router.EConflict, Reason: CodeInUse,
				Message: "the built-in deployment " + DefaultDeployment + " cannot be deleted; PUT it to change its mode, subset or capacity"}
		}
		return false, missingPreconditions(h, name)
	}
	if err := checkUnused(ctx, st, name, prev, nil); err != nil {
		return false, err
	}
	if err := checkPreconditions(h, name, tag); err != nil {
		return false, err
	}
	a.checked()
	if err := st.DeleteDeployment(ctx, name); err != nil {
		if router.ErrorCode(err) == router.ENotFound {
			// Deleted since it was read, by another server on the
			// same database (a store without write transactions).
			return false, missingPreconditions(h, name)
		}
		return false, err
	}
	return true, nil
}

// missingPreconditions checks h for the DELETE of a deployment that does
// not exist: an If-Match fails, as nothing matches it (RFC 9110), since a
// client that sent one meant to delete what it had read.
func missingPreconditions(h http.Header, name string) error {
	return checkPreconditions(h, name, "")
}

// checked runs the test hook, if any, between a write's checks and the
// write.
func (a *API) checked() {
	if a.afterChecks != nil {
		a.afterChecks()
	}
}
