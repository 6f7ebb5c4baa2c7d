package manage

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
)

// Error codes the management API answers with (in error.code).
const (
	CodeInvalidBody       = "InvalidRequestContent"
	CodeInvalidName       = "InvalidResourceName"
	CodeInvalidSKU        = "InvalidSku"
	CodeInvalidModel      = "InvalidModel"
	CodeInvalidMode       = "InvalidRoutingMode"
	CodeInvalidSubset     = "InvalidRoutingModels"
	CodeInvalidProperties = "InvalidResourceProperties" // as the reference: Claude model not deployed
	CodeNotFound          = "DeploymentNotFound"
	CodeInUse             = "DeploymentInUse"
	CodeDisabled          = "management_api_disabled"
	CodeBadKey            = "invalid_api_key"
)

// apiError is an error with its HTTP status and wire code.
type apiError struct {
	status  int
	code    string
	param   string
	message string
}

func (e *apiError) Error() string { return e.message }

func badRequest(code, param, msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: code, param: param, message: msg}
}

// errorBody is the OpenAI error shape.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    string  `json:"code"`
}

// writeError answers err in the OpenAI error shape. Store errors keep their
// router code (not found, invalid); anything else is a hidden 500.
func writeError(c *gin.Context, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		switch router.ErrorCode(err) {
		case router.ENotFound:
			ae = &apiError{status: http.StatusNotFound, code: CodeNotFound, message: router.ErrorMessage(err)}
		case router.EInvalid:
			ae = badRequest(CodeInvalidBody, "", router.ErrorMessage(err))
		default:
			_ = c.Error(err) // for the server's logger
			ae = &apiError{status: http.StatusInternalServerError, code: "internal_error", message: "Internal error."}
		}
	}
	typ := "invalid_request_error"
	switch {
	case ae.status == http.StatusForbidden:
		typ = "permission_error"
	case ae.status >= 500:
		typ = "server_error"
	}
	body := errorBody{Error: errorDetail{Message: ae.message, Type: typ, Code: ae.code}}
	if ae.param != "" {
		body.Error.Param = &ae.param
	}
	c.AbortWithStatusJSON(ae.status, body)
}
