package upstream

import (
	"bytes"
	"encoding/base64"
)

// imageSignatures are the leading bytes of the image formats Claude takes,
// by media type. WebP is a RIFF file whose form type, at byte 8, is WEBP.
var imageSignatures = []struct {
	mediaType string
	offset    int
	magic     []byte
}{
	{"image/jpeg", 0, []byte{0xFF, 0xD8, 0xFF}},
	{"image/png", 0, []byte{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}},
	{"image/gif", 0, []byte("GIF8")},
	{"image/webp", 8, []byte("WEBP")},
}

// claudeImageType is the media type of base64 image data as Claude reads
// it, from the data's own leading bytes; declared when they are none of
// the formats Claude takes. Claude checks the declared type against the
// bytes and refuses a mismatch with a 400 ("The image was specified using
// the image/png media type, but the image appears to be a image/jpeg
// image"), and takes no "image/jpg"; OpenAI reads the bytes whatever a data
// URL says, so OpenAI clients send either.
func claudeImageType(data, declared string) string {
	// 16 base64 characters are the 12 bytes that tell the formats apart.
	head, err := base64.StdEncoding.DecodeString(data[:min(len(data), 16)/4*4])
	if err != nil {
		return declared
	}
	for _, s := range imageSignatures {
		if len(head) >= s.offset+len(s.magic) && bytes.Equal(head[s.offset:s.offset+len(s.magic)], s.magic) {
			return s.mediaType
		}
	}
	return declared
}
