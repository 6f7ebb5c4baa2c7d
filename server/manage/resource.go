// Package manage is the deployments management API, shaped like the
// reference's REST API (PUT/GET/DELETE /deployments/{name}, GET
// /deployments), and the deployment Source the gateway reads on every
// request. A deployment is either a model router (properties.model is
// OpenAI/model-router/<router version>, with an optional routing block) or
// an underlying model that must be deployed before a router may route to it
// (the Claude models).
package manage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/jsontype"
)

// Router model identity, as in the reference's deployment body.
const (
	RouterFormat = "OpenAI"
	RouterName   = "model-router"
	// DefaultDeployment is the built-in deployment every server has.
	DefaultDeployment = "model-router"
	// DefaultSKU and DefaultCapacity apply when a body has no sku
	// (capacity 10 = 10,000 tokens per minute).
	DefaultSKU      = "GlobalStandard"
	DefaultCapacity = 10
	// MaxCapacity bounds capacity so TPM arithmetic stays sane.
	MaxCapacity = 1_000_000
	// resourceType is what Azure calls the resource.
	resourceType = "Microsoft.CognitiveServices/accounts/deployments"
)

// Resource is a deployment as the API reads and writes it.
type Resource struct {
	Name       string     `json:"name,omitempty"`
	Type       string     `json:"type,omitempty"`
	SKU        *SKU       `json:"sku,omitempty"`
	Properties Properties `json:"properties"`
	// Tags are Azure Resource Manager's resource tags (a deployment's
	// top-level tags, from API version 2024-10-01). They are kept and
	// answered, so that Terraform, Bicep and az read back the tags they
	// wrote, and route nothing: the gateway has no cost report or policy
	// that reads them (README, Management API).
	Tags       map[string]string `json:"tags,omitempty"`
	SystemData *SystemData       `json:"systemData,omitempty"`
	// ID is accepted (and ignored) so a GET body can be PUT back.
	ID string `json:"id,omitempty"`
	// Etag is output only, as Azure's deployments carry it: the tag the
	// deployment's ETag header gives, in GET, PUT and list answers (a list
	// has no header per item). A PUT body's is ignored, as ID is: a client
	// that means it as a precondition sends it as If-Match.
	Etag string `json:"etag,omitempty"`
}

// SKUNames are the deployment types Azure takes as a deployment's sku.name,
// as "Understanding deployment types in Microsoft Foundry Models" lists
// them (learn.microsoft.com/azure/foundry/foundry-models/concepts/
// deployment-types). A PUT must name one, in any case; the deployment
// stores it spelled as here.
var SKUNames = []string{
	"GlobalStandard", "GlobalProvisionedManaged", "GlobalBatch",
	"DataZoneStandard", "DataZoneProvisionedManaged", "DataZoneBatch",
	"Standard", "ProvisionedManaged", "DeveloperTier",
}

// SKU is the deployment's SKU; capacity 1 = 1,000 tokens per minute.
type SKU struct {
	Name     string `json:"name"`
	Capacity int    `json:"capacity"`
}

// Properties say which model is deployed and, for a router, how it routes.
type Properties struct {
	Model   router.Ref `json:"model"`
	Routing *Routing   `json:"routing,omitempty"`
	// ProvisioningState is output only ("Succeeded").
	ProvisioningState string `json:"provisioningState,omitempty"`
	// VersionUpgradeOption is Azure's policy for moving a deployment to
	// a newer version of its model, one of VersionUpgradeOptions (empty
	// when the PUT named none). It is kept and answered, so that clients
	// that send one (Terraform's provider does by default) read back what
	// they wrote, and it changes nothing: a deployment serves the version
	// its PUT named, whatever it says (README, Management API).
	VersionUpgradeOption string `json:"versionUpgradeOption,omitempty"`
	// DeploymentState is Azure's switch for whether a deployment takes
	// calls (2025-10-01-preview on): DeploymentRunning, or DeploymentPaused,
	// whose calls are refused 423 while it keeps its settings; empty
	// when the PUT named none, which runs.
	DeploymentState string `json:"deploymentState,omitempty"`
	// ServiceTier is Azure's processing tier for a deployment's calls
	// (ServiceTierDefault or Priority). Only the default is taken
	// (unserved.go), and, like VersionUpgradeOption, it is kept and
	// answered and changes nothing: each call is processed at the tier
	// it asks for itself (its service_tier), the default when it names
	// none. Empty when the PUT named none.
	ServiceTier string `json:"serviceTier,omitempty"`
}

// ServiceTierDefault is the one properties.serviceTier a deployment takes,
// stored spelled so.
const ServiceTierDefault = "Default"

// The values Azure takes as a deployment's properties.deploymentState. A
// PUT names one in any case, or none; the deployment stores it spelled as
// here.
const (
	DeploymentRunning = "Running"
	DeploymentPaused  = "Paused"
)

// DeploymentStates lists them, for messages.
var DeploymentStates = []string{DeploymentRunning, DeploymentPaused}

// Paused reports whether the deployment's admin paused it.
func (r Resource) Paused() bool { return r.Properties.DeploymentState == DeploymentPaused }

// VersionUpgradeOptions are the values Azure takes as a deployment's
// properties.versionUpgradeOption (DeploymentModelVersionUpgradeOption in
// the Microsoft.CognitiveServices REST specification). A PUT names one in
// any case, or none; the deployment stores it spelled as here.
var VersionUpgradeOptions = []string{"OnceNewDefaultVersionAvailable", "OnceCurrentVersionExpired", "NoAutoUpgrade"}

// Routing is a router deployment's mode and optional model subset.
type Routing struct {
	Mode string `json:"mode,omitempty"`
	// Models is the subset; nil means the routing mode's default set (the
	// whole router version), an empty list is an error.
	Models *[]router.Ref `json:"models,omitempty"`
}

// SystemData carries timestamps, as Azure's resources do.
type SystemData struct {
	CreatedAt      time.Time `json:"createdAt"`
	LastModifiedAt time.Time `json:"lastModifiedAt"`
}

// IsRouter reports whether the resource deploys a model router.
func (r Resource) IsRouter() bool {
	return equalFold(r.Properties.Model.Format, RouterFormat) && equalFold(r.Properties.Model.Name, RouterName)
}

// decodeResource reads a stored deployment. Members this build does not
// know are skipped: a later build may store a setting of its own, and one
// such row must not stop the list, the other deployments' checks or the
// built-in deployment (which reads every Claude deployment) after a
// downgrade. A client's body is read strictly instead (decodePut), so a
// misspelt "routing" does not silently deploy the defaults.
func decodeResource(body []byte) (Resource, error) {
	var r Resource
	err := json.Unmarshal(body, &r)
	return r, err
}

// decodePut reads the body of a PUT, strictly once its nulls and the
// members only Azure's answers carry are dropped (readAzureBody). Resource's SKU reads an absent
// capacity as 0, and that one gets the default; so the body's sku is read
// here with capacity as it was written, and a 0 the client wrote is
// refused as out of range.
func decodePut(body []byte) (Resource, error) {
	body, err := readAzureBody(body)
	if err != nil {
		return Resource{}, err
	}
	var in struct {
		Resource
		// SKU shadows Resource.SKU: the decoder fills this one.
		SKU *struct {
			Name     string          `json:"name"`
			Capacity json.RawMessage `json:"capacity"`
		} `json:"sku,omitempty"`
	}
	if err := decodeStrict(body, &in); err != nil {
		var be *bodyError
		if errors.As(err, &be) {
			return Resource{}, badRequest(CodeInvalidBody, be.param, be.Error())
		}
		return Resource{}, badRequest(CodeInvalidBody, "", err.Error())
	}
	r := in.Resource
	if in.SKU != nil {
		r.SKU = &SKU{Name: in.SKU.Name}
		if raw := in.SKU.Capacity; len(raw) > 0 && string(raw) != "null" {
			c, err := parseCapacity(string(raw))
			if err != nil {
				return Resource{}, err
			}
			r.SKU.Capacity = c
		}
	}
	return r, nil
}

// parseCapacity reads sku.capacity by its value: a whole number in
// 1..MaxCapacity however JSON spells it (1e6, 1000.0, as writers of floats
// do); any other number, one past int's range included, is out of range
// (InvalidSku), not a body that could not be read.
func parseCapacity(raw string) (int, error) {
	// The decoder checked the value's syntax: a number starts with a
	// digit or '-'. Its text is shown cut short, as a body may be 1 MiB.
	shown := raw
	if len(shown) > 32 {
		shown = shown[:32] + "…"
	}
	if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		return 0, badRequest(CodeInvalidBody, "sku.capacity",
			"the request body is not a valid deployment: sku.capacity must be a number (1 = 1,000 tokens per minute)")
	}
	// A value past float64's range reads as ±Inf or 0 with ErrRange, out
	// of range either way.
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, badRequest(CodeInvalidBody, "sku.capacity", "the request body is not a valid deployment: sku.capacity "+shown+" is not a number")
	}
	if f != math.Trunc(f) || f < 1 || f > MaxCapacity {
		return 0, capacityOutOfRange(shown)
	}
	return int(f), nil
}

func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("the request body is empty; send a deployment: {\"sku\": {...}, \"properties\": {\"model\": {...}}}")
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return wrongType(te)
		}
		return fmt.Errorf("the request body is not a valid deployment: %v", err)
	}
	if dec.More() {
		return fmt.Errorf("the request body has data after the deployment object")
	}
	return nil
}

// bodyError is a body refused for one member, named in param.
type bodyError struct{ param, msg string }

func (e *bodyError) Error() string { return e.msg }

// wrongType words a member of the wrong type as the gateway's API does:
// by its path in the body and the JSON type it takes, not by the Go
// struct and type encoding/json names ("Go struct field
// Routing.Resource.properties.routing.mode of type string"), which say
// nothing to a client that wrote JSON.
func wrongType(te *json.UnmarshalTypeError) error {
	// decodePut's struct embeds Resource, whose Go name leads the path.
	path := strings.TrimPrefix(te.Field, "Resource.")
	if te.Field == "" || path == "Resource" {
		return &bodyError{msg: fmt.Sprintf("the request body must be a JSON object (a deployment), not %s", jsontype.Value(te.Value))}
	}
	want := jsontype.Name(te.Type)
	holder := memberType(reflect.TypeFor[Resource](), path)
	switch {
	case holder != nil && holder.Kind() == reflect.Slice && te.Type.Kind() != reflect.Slice:
		// The path names the array; te.Type is its item's.
		want = "an array, each item " + want
	case holder != nil && holder.Kind() == reflect.Map && te.Type.Kind() != reflect.Map:
		// The path names the object (tags); te.Type is a value's.
		want = "an object, each value " + want
	}
	return &bodyError{param: path, msg: fmt.Sprintf("the request body is not a valid deployment: %s must be %s, not %s", path, want, jsontype.Value(te.Value))}
}

// memberType is the Go type of the member at the dotted JSON path in t,
// pointers followed; nil where there is none.
func memberType(t reflect.Type, path string) reflect.Type {
	for _, name := range strings.Split(path, ".") {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return nil
		}
		var found reflect.Type
		for i := range t.NumField() {
			f := t.Field(i)
			if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag == name {
				found = f.Type
				break
			}
		}
		if found == nil {
			return nil
		}
		t = found
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$`)

// validName reports whether name is a valid deployment name (2-64 letters,
// digits, '.', '_' or '-', starting with a letter or digit).
func validName(name string) bool { return nameRE.MatchString(name) }
