package manage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modelrouter/modelrouter/router"
)

// Source gives the gateway the deployment a request names. A management
// change applies to the next request: with a store that counts its writes
// (store.Store does, see [Versioned]) Source keeps every deployment decoded
// in memory and reads the store again only when the count moves, the copy
// is older than [SnapshotMaxAge], or a name missing from it is stored (made
// by another process on the database file); with any other store it reads
// the store on every call.
type Source struct {
	store   Store
	catalog catalogIndex

	snap    atomic.Pointer[snapshot]
	rebuild sync.Mutex // one reader of the store at a time
	now     func() time.Time
}

// Versioned is a Store that counts its deployment writes; Source caches
// deployments read from one.
type Versioned interface {
	DeploymentsVersion() uint64
}

// SnapshotMaxAge bounds how stale Source's copy may be. Writes through the
// management API show up on the next request, and so do deployments
// another process on the database file creates (Get looks a missing name
// up); this bounds how long another process's change or delete of a
// deployment in the copy takes to show.
const SnapshotMaxAge = time.Second

// NewSource returns a Source over st and the catalog.
func NewSource(st Store, cat router.Catalog) *Source {
	return &Source{store: st, catalog: catalogIndex{cat}, now: time.Now}
}

// Get returns the router deployment called name, in any case (see
// router.MatchDeploymentName), under the name it is stored with: a stored
// one, or the built-in DefaultDeployment (Balanced, latest version,
// capacity 10) when none is stored under that name. Returns
// router.ENotFound for an unknown name or a name that deploys an
// underlying model (those are reached through a router, not called
// directly), and router.EConflict for a name that matches two stored
// names differing only in case but neither exactly.
func (s *Source) Get(ctx context.Context, name string) (router.Deployment, error) {
	v, ok := s.store.(Versioned)
	if !ok {
		return s.read(ctx, name)
	}
	snap, err := s.current(ctx, v)
	if err != nil {
		return router.Deployment{}, err
	}
	e, err := snap.lookup(name)
	if router.ErrorCode(err) == router.ENotFound && s.storedSince(ctx, name) {
		// Created since the copy was taken, by another gateway on the
		// same database file (this one's writes move the version): an
		// admin who creates a deployment through one gateway and calls it
		// through another behind the same balancer gets it, not a 404.
		if snap, err = s.loadNow(ctx, v); err != nil {
			return router.Deployment{}, err
		}
		e, err = snap.lookup(name)
	}
	if err != nil {
		return router.Deployment{}, err
	}
	d := e.dep
	d.Models, d.LeftOut = slices.Clone(d.Models), slices.Clone(d.LeftOut) // the caller's to change
	return d, e.err
}

// lookup finds name in the snapshot as Get does.
func (snap *snapshot) lookup(name string) (sourceEntry, error) {
	if e, ok := snap.byName[name]; ok {
		return e, nil
	}
	stored, err := router.MatchDeploymentName(snap.byFold[router.FoldName(name)], name)
	switch {
	case err == nil:
		return snap.byName[stored], nil
	case router.ErrorCode(err) != router.ENotFound:
		return sourceEntry{}, err
	case isDefaultName(name):
		return snap.builtIn, nil
	default:
		return sourceEntry{}, router.Errorf(router.ENotFound, "deployment %q not found", name)
	}
}

// storedSince reports whether the store holds name although the snapshot
// did not: one query of that name, made only for a name that would
// otherwise be 404 (a call naming a model rather than a deployment reads
// every deployment after it anyway). A store that cannot be read now
// leaves the 404.
func (s *Source) storedSince(ctx context.Context, name string) bool {
	_, err := s.store.GetDeployment(ctx, name)
	return err == nil || router.ErrorCode(err) == router.EConflict
}

// loadNow reads the store again, whatever the copy's age and version.
func (s *Source) loadNow(ctx context.Context, v Versioned) (*snapshot, error) {
	s.rebuild.Lock()
	defer s.rebuild.Unlock()
	fresh, err := s.load(ctx, v)
	if err != nil {
		return nil, err
	}
	s.snap.Store(fresh)
	return fresh, nil
}

// read is Get straight from the store.
func (s *Source) read(ctx context.Context, name string) (router.Deployment, error) {
	stored, err := s.store.GetDeployment(ctx, name)
	if err != nil {
		if router.ErrorCode(err) != router.ENotFound {
			return router.Deployment{}, err
		}
		if !isDefaultName(name) {
			return router.Deployment{}, router.Errorf(router.ENotFound, "deployment %q not found", name)
		}
		return s.toDeployment(ctx, DefaultDeployment, builtInResource(s.catalog.cat.Latest), nil)
	}
	return s.fromStored(ctx, stored.Name, stored.Resource, nil)
}

// fromStored turns a stored resource into the router's view, refusing
// resources that deploy an underlying model.
func (s *Source) fromStored(ctx context.Context, name string, raw []byte, deployed deployedModels) (router.Deployment, error) {
	r, err := decodeResource(raw)
	if err != nil {
		return router.Deployment{}, fmt.Errorf("stored deployment %q: %w", name, err)
	}
	if !r.IsRouter() {
		return router.Deployment{}, router.Errorf(router.ENotFound,
			"deployment %q deploys %s for model router to use; call a model-router deployment instead", name, r.Properties.Model.Name)
	}
	return s.toDeployment(ctx, name, r, deployed)
}

// snapshot is every stored deployment as Get would return it.
type snapshot struct {
	version uint64
	taken   time.Time
	byName  map[string]sourceEntry
	// byFold lists the stored names by router.FoldName, for a call that
	// names a deployment in another case.
	byFold  map[string][]string
	builtIn sourceEntry // DefaultDeployment when none is stored under its name
	// paused are the paused router deployments, in name order, as Paused
	// returns them.
	paused []router.Deployment
}

type sourceEntry struct {
	dep router.Deployment
	err error
}

// current returns a snapshot that reflects every write v has made. A
// snapshot that is only old is refreshed by one caller while the others
// keep using it.
func (s *Source) current(ctx context.Context, v Versioned) (*snapshot, error) {
	version := v.DeploymentsVersion()
	snap := s.snap.Load()
	if snap != nil && snap.version == version {
		if s.now().Sub(snap.taken) < SnapshotMaxAge || !s.rebuild.TryLock() {
			return snap, nil
		}
	} else {
		s.rebuild.Lock()
	}
	defer s.rebuild.Unlock()
	if cur := s.snap.Load(); cur != snap && cur.version == v.DeploymentsVersion() {
		return cur, nil // another caller just rebuilt it
	}
	fresh, err := s.load(ctx, v)
	if err != nil {
		return nil, err
	}
	s.snap.Store(fresh)
	return fresh, nil
}

// load reads and converts every stored deployment. The version is read
// first, so a write that lands during the read makes the next call load
// again.
func (s *Source) load(ctx context.Context, v Versioned) (*snapshot, error) {
	snap := &snapshot{version: v.DeploymentsVersion(), taken: s.now()}
	stored, err := s.store.ListDeployments(ctx)
	if err != nil {
		return nil, err
	}
	// The underlying models deployed (Claude), computed once for every
	// router deployment; nil when a stored row does not decode, so that
	// toDeployment reports that error where it needs the map, as read does.
	deployed := deployedModels{}
	for _, d := range stored {
		r, err := decodeResource(d.Resource)
		if err != nil {
			deployed = nil
			break
		}
		if m, ok := s.catalog.model(r.Properties.Model); ok && !r.IsRouter() {
			deployed[m.ID] = append(deployed[m.ID], modelDeployment{name: d.Name, sku: skuName(r)})
		}
	}
	snap.byName = make(map[string]sourceEntry, len(stored))
	snap.byFold = make(map[string][]string, len(stored))
	for _, d := range stored {
		dep, err := s.fromStored(ctx, d.Name, d.Resource, deployed)
		snap.byName[d.Name] = sourceEntry{dep, err}
		if router.ErrorCode(err) == router.EDeploymentPaused {
			// fromStored decoded it; only a paused one is decoded again.
			r, _ := decodeResource(d.Resource)
			if running, ok := s.asRunning(ctx, d.Name, r, deployed); ok {
				snap.paused = append(snap.paused, running)
			}
		}
		snap.byFold[router.FoldName(d.Name)] = append(snap.byFold[router.FoldName(d.Name)], d.Name)
	}
	dep, err := s.toDeployment(ctx, DefaultDeployment, builtInResource(s.catalog.cat.Latest), deployed)
	snap.builtIn = sourceEntry{dep, err}
	return snap, nil
}

// List returns every router deployment a call can go through, by name, the
// built-in default included unless a stored one replaces it. One stored by
// an earlier build whose router version, or every model of whose subset,
// this build's catalog no longer has is left out (a call naming it gets
// why from Get), rather than failing the list: the model list and the
// calls that name a model by its id read it.
func (s *Source) List(ctx context.Context) ([]router.Deployment, error) {
	deployed, all, err := s.catalog.modelDeployments(ctx, s.store)
	if err != nil {
		return nil, err
	}
	var out []router.Deployment
	hasDefault := false
	for _, nr := range all {
		if !nr.res.IsRouter() {
			continue
		}
		hasDefault = hasDefault || isDefaultName(nr.name)
		d, err := s.toDeployment(ctx, nr.name, nr.res, deployed)
		if err != nil {
			continue
		}
		out = append(out, d)
	}
	if !hasDefault {
		d, err := s.toDeployment(ctx, DefaultDeployment, builtInResource(s.catalog.cat.Latest), deployed)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
		slices.SortFunc(out, func(a, b router.Deployment) int { return strings.Compare(a.Name, b.Name) })
	}
	return out, nil
}

// ResumePath is Azure's resume action on deployment name, which a call's
// refusal for its being paused names.
func (s *Source) ResumePath(name string) string { return AzureActionPath(name, "resume") }

// Paused returns the paused router deployments, in name order, each as it
// would serve were it running, so that a call naming a model only they
// list is told that they are paused rather than that the model does not
// exist here. Like List, it leaves out one this build cannot serve. With a
// store that counts its writes it reads Get's copy, as every call that
// names no deployment asks (clients that make names up included), so
// that costs no read of the store.
func (s *Source) Paused(ctx context.Context) ([]router.Deployment, error) {
	if v, ok := s.store.(Versioned); ok {
		snap, err := s.current(ctx, v)
		if err != nil {
			return nil, err
		}
		out := slices.Clone(snap.paused)
		for i := range out {
			out[i].Models, out[i].LeftOut = slices.Clone(out[i].Models), slices.Clone(out[i].LeftOut) // the caller's to change
		}
		return out, nil
	}
	deployed, all, err := s.catalog.modelDeployments(ctx, s.store)
	if err != nil {
		return nil, err
	}
	var out []router.Deployment
	for _, nr := range all {
		if d, ok := s.asRunning(ctx, nr.name, nr.res, deployed); ok {
			out = append(out, d)
		}
	}
	return out, nil
}

// asRunning is r, when it is a paused router deployment, as it would serve
// were it running; false for any other, and for one this build cannot
// serve.
func (s *Source) asRunning(ctx context.Context, name string, r Resource, deployed deployedModels) (router.Deployment, bool) {
	if !r.IsRouter() || !r.Paused() {
		return router.Deployment{}, false
	}
	r.Properties.DeploymentState = DeploymentRunning
	d, err := s.toDeployment(ctx, name, r, deployed)
	return d, err == nil
}

// toDeployment turns a stored router resource into the router's view. Models
// that need a deployment (Claude) are left out unless one of their
// deployments has the router's SKU, the rule a subset is checked by: the
// SKU says where prompts are processed. Each is in LeftOut with that
// rule's message, which decisions show (deployed is loaded when nil and
// needed).
func (s *Source) toDeployment(ctx context.Context, name string, r Resource, deployed deployedModels) (router.Deployment, error) {
	if r.Paused() {
		// Every call, dry run and token count reaches a deployment
		// through Get, and List leaves it out: no call gets through a
		// paused one, by its name or by a model it lists. Its name comes
		// with the refusal: it exists, so the refusal is logged and
		// counted under it, not as a name that was not found.
		// It names Azure's resume action, which any HTTP client can
		// send (the CLI's resume sends it; a PUT must repeat the whole
		// deployment).
		return router.Deployment{Name: name}, router.Errorf(router.EDeploymentPaused,
			"deployment %q is paused and takes no calls until an admin resumes it: POST %s",
			name, s.ResumePath(name))
	}
	p := r.Properties
	d := router.Deployment{Name: name, RouterVersion: p.Model.Version, Mode: router.ModeBalanced, SKUName: skuName(r), Capacity: DefaultCapacity}
	if r.SKU != nil && r.SKU.Capacity > 0 {
		d.Capacity = r.SKU.Capacity
	}
	ver, ok := s.catalog.version(p.Model.Version)
	if !ok {
		return router.Deployment{}, router.Errorf(router.EInvalid,
			"deployment %q uses model-router version %q, which this build does not have; valid versions: %s", name, p.Model.Version, s.catalog.versionNames())
	}
	candidates := ver.Models
	if p.Routing != nil {
		if m, err := router.ParseMode(p.Routing.Mode); err == nil && m != "" {
			d.Mode = m
		}
		if p.Routing.Models != nil {
			candidates = nil
			for _, ref := range *p.Routing.Models {
				// A model dropped from the catalog since is skipped; one
				// added since is not in the subset: subsets are explicit.
				if m, ok := find(ver.Models, ref); ok {
					candidates = append(candidates, m)
				}
			}
		}
	}
	needs := slices.ContainsFunc(candidates, func(m router.Model) bool { return m.RequiresDeployment })
	if needs && deployed == nil {
		var err error
		if deployed, _, err = s.catalog.modelDeployments(ctx, s.store); err != nil {
			return router.Deployment{}, err
		}
	}
	for _, m := range candidates {
		if !m.RequiresDeployment {
			d.Models = append(d.Models, m.ID)
		} else if why, _ := notRoutable(m, deployed[m.ID], d.SKUName, ""); why != "" {
			// Shown as an excluded candidate, saying what to deploy.
			d.LeftOut = append(d.LeftOut, router.LeftOut{Model: m.ID, Reason: why})
		} else {
			d.Models = append(d.Models, m.ID)
		}
	}
	if len(d.Models) == 0 {
		return router.Deployment{}, noModelLeft(name, d.LeftOut)
	}
	return d, nil
}

// noModelLeft refuses a deployment with no model to route to, saying why
// each model it leaves out is (each reason names its model and what to
// deploy), in the message and as excluded candidates (error.candidates),
// as a call whose candidates the request filtered out is refused.
func noModelLeft(name string, leftOut []router.LeftOut) error {
	err := &router.Error{Code: router.ENoEligible, Message: fmt.Sprintf("deployment %q has no model left to route to", name)}
	if len(leftOut) == 0 {
		return err // its subset names only models this build no longer has
	}
	why := make([]string, len(leftOut))
	cands := make([]router.Candidate, len(leftOut))
	for i, l := range leftOut {
		why[i] = l.Reason
		cands[i] = router.Candidate{Model: l.Model, Reason: "excluded: " + l.Reason, LeftOut: true}
	}
	err.Message += ": " + strings.Join(why, "; ")
	err.Detail = cands
	return err
}
