package manage

import "github.com/modelrouter/modelrouter/router"

// unserved are the members of Azure's DeploymentProperties a client can
// set that the gateway has no honest meaning for, each with why, in one
// line: a bare "unknown field" would not tell an admin who copied an Azure
// body whether to drop the member or what does its work here. Read-only
// members are dropped instead (readonly.go); the others the gateway
// serves are Properties' own. accepts, when set, is the one value of the
// member that is taken (in any case): Azure's default, which means what
// the gateway does anyway, and which a GET body of Azure's carries, so
// that a GET-then-PUT round trip (Terraform, az, Bicep) is not refused.
var unserved = []struct{ member, accepts, why string }{
	// The reference has a content filter selected when the router is
	// deployed: refusing it keeps anyone from deploying a router they
	// believe filtered.
	{"raiPolicyName", "", "the gateway has no content filters, so a deployment cannot select one (properties.raiPolicyName): " +
		"leave it out, and filter content in front of the gateway or at the providers where it is needed"},
	// Azure's own reference marks it deprecated in favour of the sku.
	{"scaleSettings", "", "properties.scaleSettings is Azure's deprecated form of the sku: leave it out and set the capacity as sku.capacity " +
		"(1 = 1,000 tokens per minute)"},
	{"spilloverDeploymentName", "", "the gateway sends no call on to another deployment when this one is over its capacity " +
		"(properties.spilloverDeploymentName): such a call is answered 429 with Retry-After; leave it out, and raise sku.capacity or retry on another deployment"},
	// Azure's values are Default and Priority; Default is standard
	// processing, which every call gets unless it asks for another tier.
	{"serviceTier", ServiceTierDefault, "a deployment sets no processing tier here (properties.serviceTier): leave it out, and ask for priority processing " +
		"per call with the call's service_tier, which is passed on and billed at that tier's prices"},
}

// refuseUnserved refuses v, the value of the member at path (folded, as
// readMembers gives it), when the member is one of unserved's, in any case
// (as the decoder would read it), and v is other than the value it
// accepts, saying why. A null, which sets nothing here, readAzureBody has
// dropped before.
func refuseUnserved(path string, v any) error {
	for _, u := range unserved {
		if path == router.FoldName("properties."+u.member) && !accepted(v, u.accepts) {
			return badRequest(CodeInvalidBody, "properties."+u.member, u.why)
		}
	}
	return nil
}

// accepted reports whether v is the string accepts, in any case (as Azure
// reads its enum values); nothing is when accepts is empty.
func accepted(v any, accepts string) bool {
	s, ok := v.(string)
	return accepts != "" && ok && equalFold(s, accepts)
}
