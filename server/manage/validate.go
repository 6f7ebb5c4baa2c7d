package manage

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/modelrouter/modelrouter/router"
)

// subsetsSince is the first router version that takes a model subset, as in
// the reference ("the latest version of model router supports custom
// subsets"). Router versions are dates, so they compare as strings.
const subsetsSince = "2025-11-18"

func equalFold(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// catalogIndex answers the validation questions about the catalog.
type catalogIndex struct {
	cat router.Catalog
}

func (ix catalogIndex) version(v string) (router.Version, bool) {
	i := slices.IndexFunc(ix.cat.Versions, func(x router.Version) bool { return x.Version == v })
	if i < 0 {
		return router.Version{}, false
	}
	return ix.cat.Versions[i], true
}

func (ix catalogIndex) versionNames() string {
	names := make([]string, len(ix.cat.Versions))
	for i, v := range ix.cat.Versions {
		names[i] = v.Version
	}
	return strings.Join(names, ", ")
}

// find returns the model of models that ref names (format and name in any
// case, version exactly).
func find(models []router.Model, ref router.Ref) (router.Model, bool) {
	for _, m := range models {
		if equalFold(m.Format, ref.Format) && equalFold(m.Name, ref.Name) && strings.TrimSpace(ref.Version) == m.Version {
			return m, true
		}
	}
	return router.Model{}, false
}

// model finds ref in any router version.
func (ix catalogIndex) model(ref router.Ref) (router.Model, bool) {
	for _, v := range ix.cat.Versions {
		if m, ok := find(v.Models, ref); ok {
			return m, true
		}
	}
	return router.Model{}, false
}

// needsDeployment lists the catalog models that must be deployed before a
// router may route to them, once each.
func (ix catalogIndex) needsDeployment() []router.Model {
	var out []router.Model
	for _, v := range ix.cat.Versions {
		for _, m := range v.Models {
			if m.RequiresDeployment && !slices.ContainsFunc(out, func(o router.Model) bool { return o.ID == m.ID }) {
				out = append(out, m)
			}
		}
	}
	return out
}

func refList(models []router.Model) string {
	parts := make([]string, len(models))
	for i, m := range models {
		parts[i] = fmt.Sprintf(`{"format": %q, "name": %q, "version": %q}`, m.Format, m.Name, m.Version)
	}
	return strings.Join(parts, ", ")
}

// modelDeployment is one deployment of an underlying model (Claude): its
// name and SKU name.
type modelDeployment struct {
	name string
	sku  string
}

// deployedModels maps the ID of every deployed underlying model to each of
// its deployments, in name order: a model may be deployed more than once
// (one deployment per SKU, say).
type deployedModels map[string][]modelDeployment

// notRoutable says why a router deployment of SKU sku cannot route to m,
// a model that needs a deployment of its own, whose deployments are ds,
// and the member to fix: "" when one of ds has that SKU (the SKU says
// where prompts are processed). note, when set, follows m's ID where it
// has no deployment. A PUT naming m in its subset is refused with it; a
// full-set router leaves m out with it (Source).
func notRoutable(m router.Model, ds []modelDeployment, sku, note string) (why, param string) {
	switch {
	case len(ds) == 0:
		return fmt.Sprintf("%s must be deployed before model router can route to it%s: first PUT a deployment with properties.model "+
			`{"format": %q, "name": %q, "version": %q} and sku.name %q`, m.ID, note, m.Format, m.Name, m.Version, sku), "properties.routing.models"
	case !slices.ContainsFunc(ds, func(d modelDeployment) bool { return equalFold(d.sku, sku) }):
		as := make([]string, len(ds))
		for i, d := range ds {
			as[i] = fmt.Sprintf("%q with sku %q", d.name, d.sku)
		}
		return fmt.Sprintf("%s is deployed as %s; the router deployment's sku %q must match one of them (or deploy it with sku %q)",
			m.ID, strings.Join(as, ", "), sku, sku), "sku.name"
	}
	return "", ""
}

func (ix catalogIndex) modelDeployments(ctx context.Context, st Store) (deployedModels, []namedResource, error) {
	all, err := loadAll(ctx, st)
	if err != nil {
		return nil, nil, err
	}
	out := deployedModels{}
	for _, nr := range all {
		if nr.res.IsRouter() {
			continue
		}
		if m, ok := ix.model(nr.res.Properties.Model); ok {
			out[m.ID] = append(out[m.ID], modelDeployment{name: nr.name, sku: skuName(nr.res)})
		}
	}
	return out, all, nil
}

func skuName(r Resource) string {
	if r.SKU == nil || r.SKU.Name == "" {
		return DefaultSKU
	}
	return r.SKU.Name
}

// reservedName refuses a PUT of deployment name, which
// router.IsReservedDeploymentName reserves; found says one is stored under
// it (by an earlier build), which is kept, and whose state may change.
func reservedName(name string, found bool) error {
	msg := fmt.Sprintf("the name %q is reserved: /metrics counts calls to deployment names that were not found as deployment=%q, so that clients cannot add a series per made-up name, and a deployment of that name would be counted with them; ",
		name, router.UnfoundDeployment)
	if found {
		msg += "the one an earlier build stored under it can still be read, paused, resumed and deleted: to change it otherwise, delete it and create it under another name"
	} else {
		msg += "choose another name"
	}
	return badRequest(CodeInvalidName, "name", msg)
}

// onlyStateChanged reports whether in, a PUT body, is prev with at most its
// deploymentState changed: the members a PUT sets are the same, those only
// answers carry (name, id, etag, systemData, provisioningState) aside.
func onlyStateChanged(prev, in Resource) bool {
	settable := func(r Resource) Resource {
		out := Resource{SKU: r.SKU, Properties: r.Properties, Tags: r.Tags}
		out.Properties.ProvisioningState, out.Properties.DeploymentState = "", ""
		if len(out.Tags) == 0 {
			out.Tags = nil
		}
		return out
	}
	return reflect.DeepEqual(settable(prev), settable(in))
}

// normalize checks a PUT body for deployment name against the catalog and
// the other deployments (replaces, when not empty, is the stored
// deployment the PUT replaces, which is no longer there to route to), and
// returns the resource to store: SKU filled in,
// model and subset spelled as the catalog spells them, mode explicit.
func (ix catalogIndex) normalize(ctx context.Context, st Store, name, replaces string, r Resource) (Resource, error) {
	if !validName(name) {
		return Resource{}, badRequest(CodeInvalidName, "name",
			fmt.Sprintf("invalid deployment name %q: use 2-64 letters, digits, '.', '_' or '-', starting with a letter or digit", name))
	}
	if r.Name != "" && router.FoldName(r.Name) != router.FoldName(name) {
		return Resource{}, badRequest(CodeInvalidName, "name", fmt.Sprintf("the body names deployment %q but the URL names %q", r.Name, name))
	}
	if isDefaultName(name) && !r.IsRouter() {
		// Every client calls this name by default: only a router may
		// replace the built-in one.
		return Resource{}, badRequest(CodeInvalidName, "name",
			fmt.Sprintf("the name %q is reserved for the built-in router: deploy %s under another name, or PUT a model-router body here to change the built-in one",
				DefaultDeployment, strings.TrimSpace(r.Properties.Model.Name)))
	}
	sku, err := normalizeSKU(r.SKU)
	if err != nil {
		return Resource{}, err
	}
	upgrade, err := normalizeUpgradeOption(r.Properties.VersionUpgradeOption)
	if err != nil {
		return Resource{}, err
	}
	tags, err := checkTags(r.Tags)
	if err != nil {
		return Resource{}, err
	}
	out := Resource{SKU: &sku, Tags: tags}
	if r.IsRouter() {
		out.Properties, err = ix.routerProperties(ctx, st, replaces, sku, r.Properties)
	} else {
		out.Properties, err = ix.modelProperties(r.Properties)
	}
	out.Properties.VersionUpgradeOption = upgrade
	if strings.TrimSpace(r.Properties.ServiceTier) != "" {
		// decodePut took no other value (refuseUnserved).
		out.Properties.ServiceTier = ServiceTierDefault
	}
	if err != nil {
		return Resource{}, err
	}
	out.Properties.DeploymentState, err = normalizeDeploymentState(r)
	return out, err
}

// normalizeDeploymentState returns r's deploymentState spelled as
// DeploymentStates spells it ("" when the body named none), or refuses one
// Azure would not take, and a paused model deployment: calls never name
// one (a router routes to its model), so pausing it would stop nothing.
func normalizeDeploymentState(r Resource) (string, error) {
	state := strings.TrimSpace(r.Properties.DeploymentState)
	if state == "" {
		return "", nil
	}
	i := slices.IndexFunc(DeploymentStates, func(s string) bool { return strings.EqualFold(s, state) })
	if i < 0 {
		return "", badRequest(CodeInvalidProperties, "properties.deploymentState",
			fmt.Sprintf("unknown properties.deploymentState %q; valid values (Azure's): %s", state, strings.Join(DeploymentStates, ", ")))
	}
	if DeploymentStates[i] == DeploymentPaused && !r.IsRouter() {
		return "", badRequest(CodeInvalidProperties, "properties.deploymentState",
			fmt.Sprintf("a deployment of %s cannot be paused: calls reach it only through model-router deployments, so pause those instead", strings.TrimSpace(r.Properties.Model.Name)))
	}
	return DeploymentStates[i], nil
}

// normalizeUpgradeOption returns opt spelled as VersionUpgradeOptions
// spells it ("" when the body named none), or refuses one Azure would not
// take: a typo would otherwise be kept and answered as if it were one.
func normalizeUpgradeOption(opt string) (string, error) {
	opt = strings.TrimSpace(opt)
	if opt == "" {
		return "", nil
	}
	i := slices.IndexFunc(VersionUpgradeOptions, func(o string) bool { return strings.EqualFold(o, opt) })
	if i < 0 {
		return "", badRequest(CodeInvalidProperties, "properties.versionUpgradeOption",
			fmt.Sprintf("unknown properties.versionUpgradeOption %q; valid values (Azure's): %s", opt, strings.Join(VersionUpgradeOptions, ", ")))
	}
	return VersionUpgradeOptions[i], nil
}

func normalizeSKU(s *SKU) (SKU, error) {
	if s == nil {
		return SKU{Name: DefaultSKU, Capacity: DefaultCapacity}, nil
	}
	out := SKU{Name: strings.TrimSpace(s.Name), Capacity: s.Capacity}
	if out.Name == "" {
		out.Name = DefaultSKU
	}
	i := slices.IndexFunc(SKUNames, func(n string) bool { return strings.EqualFold(n, out.Name) })
	if i < 0 {
		// Azure refuses one too ("The deployment sku name 'S0' is
		// invalid"): a name it would not take is a typo, or an account
		// SKU, and would only match no Claude deployment later.
		return SKU{}, badRequest(CodeInvalidSKU, "sku.name",
			fmt.Sprintf("unknown sku.name %q; valid SKU names (Azure's deployment types): %s", s.Name, strings.Join(SKUNames, ", ")))
	}
	out.Name = SKUNames[i]
	if out.Capacity == 0 {
		out.Capacity = DefaultCapacity
	}
	if out.Capacity < 1 || out.Capacity > MaxCapacity {
		return SKU{}, capacityOutOfRange(strconv.Itoa(s.Capacity))
	}
	return out, nil
}

// capacityOutOfRange refuses capacity got, as the body wrote it.
func capacityOutOfRange(got string) error {
	return badRequest(CodeInvalidSKU, "sku.capacity",
		fmt.Sprintf("sku.capacity must be a whole number between 1 and %d (1 = 1,000 tokens per minute); got %s", MaxCapacity, got))
}

func (ix catalogIndex) routerProperties(ctx context.Context, st Store, replaces string, sku SKU, p Properties) (Properties, error) {
	ver, ok := ix.version(strings.TrimSpace(p.Model.Version))
	if !ok {
		return Properties{}, badRequest(CodeInvalidModel, "properties.model.version",
			fmt.Sprintf("unknown model-router version %q; valid versions: %s", p.Model.Version, ix.versionNames()))
	}
	out := Properties{
		Model:   router.Ref{Format: RouterFormat, Name: RouterName, Version: ver.Version},
		Routing: &Routing{Mode: string(router.ModeBalanced)},
	}
	if p.Routing == nil {
		return out, nil
	}
	mode, err := router.ParseMode(p.Routing.Mode)
	if err != nil {
		valid := make([]string, len(router.Modes))
		for i, m := range router.Modes {
			valid[i] = string(m)
		}
		return Properties{}, badRequest(CodeInvalidMode, "properties.routing.mode",
			fmt.Sprintf("unknown routing mode %q; valid modes: %s", p.Routing.Mode, strings.Join(valid, ", ")))
	}
	if mode != "" {
		out.Routing.Mode = string(mode)
	}
	if p.Routing.Models == nil {
		return out, nil // the mode's default set: the whole router version
	}
	refs := *p.Routing.Models
	if len(refs) == 0 {
		return Properties{}, badRequest(CodeInvalidSubset, "properties.routing.models",
			"properties.routing.models must list at least one model; omit it to route over the full model set")
	}
	if ver.Version < subsetsSince {
		return Properties{}, badRequest(CodeInvalidSubset, "properties.routing.models",
			fmt.Sprintf("model-router version %s does not take a model subset; use version %s or later, or omit routing.models", ver.Version, subsetsSince))
	}
	var deployed deployedModels
	subset := []router.Ref{}
	for i, ref := range refs {
		m, ok := find(ver.Models, ref)
		if !ok && strings.TrimSpace(ref.Name) == "" {
			return Properties{}, badRequest(CodeInvalidSubset, "properties.routing.models",
				fmt.Sprintf("properties.routing.models[%d] names no model: each takes format, name and version; valid models: %s",
					i, refList(ver.Models)))
		}
		if !ok {
			return Properties{}, badRequest(CodeInvalidSubset, "properties.routing.models",
				fmt.Sprintf("model %s/%s version %q is not supported by model-router %s; valid models: %s",
					ref.Format, ref.Name, ref.Version, ver.Version, refList(ver.Models)))
		}
		if m.RequiresDeployment {
			if deployed == nil {
				if deployed, _, err = ix.modelDeployments(ctx, st); err != nil {
					return Properties{}, err
				}
			}
			ds := slices.DeleteFunc(slices.Clone(deployed[m.ID]), func(d modelDeployment) bool { return d.name == replaces })
			replaced := ""
			if len(ds) == 0 && len(deployed[m.ID]) > 0 {
				replaced = fmt.Sprintf(" (deployment %q deploys it now, and this PUT replaces it)", replaces)
			}
			if why, param := notRoutable(m, ds, sku.Name, replaced); why != "" {
				return Properties{}, badRequest(CodeInvalidProperties, param, why)
			}
		}
		if !slices.Contains(subset, m.Ref()) {
			subset = append(subset, m.Ref())
		}
	}
	out.Routing.Models = &subset
	return out, nil
}

func (ix catalogIndex) modelProperties(p Properties) (Properties, error) {
	m, ok := ix.model(p.Model)
	if !ok || !m.RequiresDeployment {
		what := fmt.Sprintf("model %s/%s version %q", p.Model.Format, p.Model.Name, p.Model.Version)
		reason := "is not in the catalog"
		if strings.TrimSpace(p.Model.Name) == "" {
			// "model / version """ would name nothing the client wrote.
			what, reason = "properties.model", "names no model (it takes format, name and version)"
		}
		if ok {
			reason = "needs no deployment of its own: model router calls it directly (list it in routing.models instead)"
		}
		return Properties{}, badRequest(CodeInvalidModel, "properties.model",
			fmt.Sprintf("%s %s. Deploy model-router (format %q, name %q, versions: %s) or a model that must be deployed first: %s",
				what, reason, RouterFormat, RouterName, ix.versionNames(), refList(ix.needsDeployment())))
	}
	if p.Routing != nil {
		return Properties{}, badRequest(CodeInvalidBody, "properties.routing", "properties.routing applies only to model-router deployments")
	}
	return Properties{Model: m.Ref()}, nil
}
