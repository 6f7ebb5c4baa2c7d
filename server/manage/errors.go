package manage

import (
	"errors"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/apierr"
)

// Error codes the management API answers with (in error.code).
const (
	CodeInvalidBody       = "InvalidRequestContent"
	CodeBodyTooLarge      = "RequestBodyTooLarge" // 413, as Azure's storage and batch APIs name it
	CodeInvalidName       = "InvalidResourceName"
	CodeInvalidSKU        = "InvalidSku"
	CodeInvalidModel      = "InvalidModel"
	CodeInvalidMode       = "InvalidRoutingMode"
	CodeInvalidSubset     = "InvalidRoutingModels"
	CodeInvalidProperties = "InvalidResourceProperties" // as the reference: Claude model not deployed
	CodeNotFound          = apierr.DeploymentNotFound
	CodeInUse             = "DeploymentInUse"
	CodeAmbiguousName     = "AmbiguousDeploymentName"
	CodeDisabled          = "management_api_disabled"
	CodeBadKey            = "invalid_api_key"
)

func badRequest(reason, param, msg string) error {
	return &router.Error{Code: router.EInvalid, Reason: reason, Param: param, Message: msg}
}

// writeError answers err in the OpenAI error shape through apierr, the one
// place that maps error codes to HTTP. Store errors keep their router code
// and get this API's wire code.
func writeError(c *gin.Context, err error) {
	var re *router.Error
	if errors.As(err, &re) && re.Reason == "" {
		withReason := *re
		switch re.Code {
		case router.ENotFound:
			withReason.Reason = CodeNotFound
		case router.EInvalid:
			withReason.Reason = CodeInvalidBody
		case router.EConflict:
			// The store's one conflict: a name that matches two
			// deployments whose names differ only in case.
			withReason.Reason, withReason.Param = CodeAmbiguousName, "name"
		}
		err = &withReason
	}
	if apierr.IsInternal(err) {
		_ = c.Error(err) // for the server's logger
	}
	status, body := apierr.Response(err)
	apierr.SetHeaders(c.Writer.Header(), err)
	c.AbortWithStatusJSON(status, body)
}
