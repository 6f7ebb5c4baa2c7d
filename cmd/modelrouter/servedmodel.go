package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/modelrouter/modelrouter/classifier"
	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/server/metrics"
)

// servedModel is the router model serve decides with, and the one place
// that swaps it for what --router-model holds now (SIGHUP, or POST
// /router-model/reload): it loads and verifies the new files, re-applies
// the catalog models' own profiles, switches every router at once and
// closes the old model.
type servedModel struct {
	dir     string // --router-model; "" for the embedded model
	opts    classifier.Options
	catalog router.Catalog // as shipped; own profiles applied per model
	log     *slog.Logger

	mu      sync.Mutex // one reload at a time
	routers []*router.Router
	met     *metrics.Metrics
	clf     *classifier.Classifier // nil for a test predictor
	pred    router.Predictor
	bands   router.Bands
	routed  router.Catalog // catalog with the model's own profiles
	info    manage.RouterModelInfo
	closed  bool
}

var _ manage.RouterModel = (*servedModel)(nil)

// loadServedModel loads the router model serve starts with: o.predictor
// when a test set one, else the ONNX model from --router-model or the one
// embedded in the binary.
func loadServedModel(o serveOptions, catalog router.Catalog, log *slog.Logger) (*servedModel, error) {
	m := &servedModel{dir: o.routerModel, opts: classifier.Options{UseCUDA: o.cuda, Logger: log}, catalog: catalog, log: log}
	if o.predictor != nil {
		m.pred, m.bands, m.routed = o.predictor, router.DefaultBands, catalog
		m.info = manage.RouterModelInfo{Version: "test", OwnProfiles: []string{}, LoadedAt: time.Now().UTC()}
		return m, nil
	}
	clf, err := m.load()
	if err != nil {
		return nil, err
	}
	m.use(clf)
	// A reload that would drop these is refused; at start there is no
	// model to keep serving, so the operator is told which are left out.
	if none := unpredicted(m.routed, clf.Card().Profiles, nil); len(none) > 0 {
		log.Warn("router model has no profile for these catalog models, so every decision leaves them out", "models", none)
	}
	return m, nil
}

// unpredicted lists, as "ID (profile)", the models of cat (profiles as the
// served model applies them) that a router model with profiles cannot
// predict; only those where counts, when it is set (it is given each
// model's place in cat: version i, model j).
func unpredicted(cat router.Catalog, profiles []string, counts func(i, j int) bool) []string {
	var none []string
	for i, v := range cat.Versions {
		for j, mod := range v.Models {
			entry := mod.ID + " (" + mod.Profile + ")"
			if !slices.Contains(profiles, mod.Profile) && (counts == nil || counts(i, j)) && !slices.Contains(none, entry) {
				none = append(none, entry)
			}
		}
	}
	return none
}

func (m *servedModel) load() (*classifier.Classifier, error) {
	if m.dir != "" {
		return classifier.LoadDir(m.dir, m.opts)
	}
	return classifier.Load(m.opts)
}

// use makes clf the served model (m.mu held, or before serving).
func (m *servedModel) use(clf *classifier.Classifier) {
	card := clf.Card()
	routed, own := models.OwnProfiles(m.catalog, card.Profiles)
	if own == nil {
		own = []string{}
	}
	m.clf, m.pred, m.bands, m.routed = clf, clf, card.Bands, routed
	m.info = manage.RouterModelInfo{Version: clf.Version(), ContentHash: card.ContentHash, Dir: m.dir,
		Profiles: len(card.Profiles), Device: clf.Device(), OwnProfiles: own, LoadedAt: time.Now().UTC()}
}

// routing is what a router is built with: the catalog with the model's
// own profiles, the predictor, its bands and its name.
func (m *servedModel) routing() (router.Catalog, router.Predictor, router.Bands, string) {
	return m.routed, m.pred, m.bands, m.info.Version
}

// attach names the routers a reload switches and the metrics it updates.
func (m *servedModel) attach(met *metrics.Metrics, routers ...*router.Router) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.met, m.routers = met, routers
	met.SetRouterModel(m.info.Version)
}

// Current implements manage.RouterModel.
func (m *servedModel) Current() manage.RouterModelInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.info
}

// reloadable reports whether the model came from a folder it can be
// loaded from again.
func (m *servedModel) reloadable() bool { return m.dir != "" && m.clf != nil }

// Reload implements manage.RouterModel.
func (m *servedModel) Reload(ctx context.Context) (manage.RouterModelInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.reloadable() {
		return m.info, &router.Error{Code: router.EConflict, Reason: "router_model_not_reloadable",
			Message: "serve runs the router model embedded in the binary; start it with --router-model DIR to reload a model written there"}
	}
	if m.closed || ctx.Err() != nil {
		return m.info, &router.Error{Code: router.EUnavailable, Message: "the server is shutting down"}
	}
	clf, err := m.load()
	if err != nil {
		return m.info, &router.Error{Code: router.EConflict, Reason: "router_model_invalid",
			Message: fmt.Sprintf("the router model in %s could not be loaded, so %s keeps serving: %v", m.dir, m.info.Version, err)}
	}
	if lost := lostModels(m.catalog, m.clf.Card().Profiles, clf.Card().Profiles); len(lost) > 0 {
		_ = clf.Close()
		return m.info, &router.Error{Code: router.EConflict, Reason: "router_model_invalid",
			Message: fmt.Sprintf("the router model in %s has no profile for %s, which the served model predicts: routing would leave them out of every decision, so %s keeps serving",
				m.dir, strings.Join(lost, ", "), m.info.Version)}
	}
	old, previous := m.clf, m.info.Version
	m.use(clf)
	cat, pred, bands, name := m.routing()
	for _, r := range m.routers {
		if err := r.Reload(cat, pred, bands, name); err != nil {
			// Unreachable: router.New accepted this catalog, and the
			// predictor is a loaded model.
			return m.info, fmt.Errorf("reload router model: %w", err)
		}
	}
	if m.met != nil {
		m.met.SetRouterModel(name)
	}
	m.info.Replaced = previous
	// Close waits for the predictions running on the old model; a
	// decision that took it and predicts later is made again by the new
	// one (router.Reload), so nothing uses it after this.
	if err := old.Close(); err != nil {
		m.log.Warn("replaced router model not closed", "router_model", previous, "err", err)
	}
	m.log.Info("router model reloaded", "router_model", name, "replaced", previous, "dir", m.dir,
		"device", m.info.Device, "profiles", m.info.Profiles, "own_profiles", m.info.OwnProfiles)
	return m.info, nil
}

// lostModels lists, as "ID (profile)", the catalog models that a router
// model with the profiles in was predicts and one with those in is does
// not: the router leaves a model without a profile out of every decision.
func lostModels(cat router.Catalog, was, is []string) []string {
	before, _ := models.OwnProfiles(cat, was)
	after, _ := models.OwnProfiles(cat, is)
	return unpredicted(after, is, func(i, j int) bool {
		return slices.Contains(was, before.Versions[i].Models[j].Profile)
	})
}

// close closes the served model.
func (m *servedModel) close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	if m.clf == nil {
		return nil
	}
	return m.clf.Close()
}

// reloadOnSignal reloads the router model on every signal from sig (serve
// passes SIGHUP) until ctx ends; the outcome is logged either way.
func (m *servedModel) reloadOnSignal(ctx context.Context, sig <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-sig:
			if _, err := m.Reload(ctx); err != nil {
				m.log.Warn("router model not reloaded", "err", err)
			}
		}
	}
}
