package upstream

import (
	"encoding/base64"
	"net/http"
)

// claudeImageTypes are the media types Claude takes.
var claudeImageTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// claudeImageType is the media type of base64 image data as Claude reads
// it, from the data's own leading bytes (net/http's sniffing, whose WebP
// signature is RIFF....WEBPVP); declared when they are none of the formats
// Claude takes. Claude checks the declared type against the bytes and
// refuses a mismatch with a 400 ("The image was specified using the
// image/png media type, but the image appears to be a image/jpeg image"),
// and takes no "image/jpg"; OpenAI reads the bytes whatever a data URL
// says, so OpenAI clients send either.
func claudeImageType(data, declared string) string {
	// 20 base64 characters are 15 bytes, past the longest of the four
	// signatures (WebP's 14); only whole quanta are decoded.
	head, err := base64.StdEncoding.DecodeString(data[:min(len(data), 20)/4*4])
	if err != nil {
		return declared
	}
	if sniffed := http.DetectContentType(head); claudeImageTypes[sniffed] {
		return sniffed
	}
	return declared
}
