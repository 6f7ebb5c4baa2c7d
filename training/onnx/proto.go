package onnx

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// This file encodes the few ONNX protobuf messages the router model needs,
// straight to the wire format. Field numbers follow onnx/onnx.proto
// (IR version 8); only the fields we write are listed.

// ONNX TensorProto.DataType values.
const (
	dtFloat = 1
	dtInt8  = 3
	dtInt64 = 7
)

// AttributeProto.AttributeType values.
const (
	attrInt  = 2
	attrInts = 7
)

// Field numbers, grouped by message.
const (
	modelIRVersion    = 1 // int64
	modelProducerName = 2 // string
	modelProducerVer  = 3 // string
	modelDocString    = 6 // string
	modelGraph        = 7 // GraphProto
	modelOpsetImport  = 8 // repeated OperatorSetIdProto

	opsetDomain  = 1 // string
	opsetVersion = 2 // int64

	graphNode        = 1  // repeated NodeProto
	graphName        = 2  // string
	graphInitializer = 5  // repeated TensorProto
	graphInput       = 11 // repeated ValueInfoProto
	graphOutput      = 12 // repeated ValueInfoProto

	nodeInput     = 1 // repeated string
	nodeOutput    = 2 // repeated string
	nodeName      = 3 // string
	nodeOpType    = 4 // string
	nodeAttribute = 5 // repeated AttributeProto

	attributeName = 1  // string
	attributeI    = 3  // int64
	attributeInts = 8  // repeated int64
	attributeType = 20 // AttributeType

	tensorDims     = 1 // repeated int64
	tensorDataType = 2 // int32
	tensorName     = 8 // string
	tensorRawData  = 9 // bytes, little-endian

	valueInfoName = 1 // string
	valueInfoType = 2 // TypeProto

	typeTensorType = 1 // TypeProto.Tensor
	tensorElemType = 1 // TypeProto.Tensor.elem_type
	tensorShape    = 2 // TypeProto.Tensor.shape (TensorShapeProto)
	shapeDim       = 1 // TensorShapeProto.dim
	dimValue       = 1 // Dimension.dim_value
	dimParam       = 2 // Dimension.dim_param
)

func appendString(b []byte, field protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendMessage(b []byte, field protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}

func appendInt(b []byte, field protowire.Number, v int64) []byte {
	b = protowire.AppendTag(b, field, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

// appendPackedInts writes a repeated int64 field in packed form, which
// proto2 parsers accept for repeated scalars.
func appendPackedInts(b []byte, field protowire.Number, vs []int64) []byte {
	var packed []byte
	for _, v := range vs {
		packed = protowire.AppendVarint(packed, uint64(v))
	}
	return appendMessage(b, field, packed)
}

// floatTensor encodes a named float32 initializer.
func floatTensor(name string, dims []int64, data []float32) []byte {
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	return tensor(name, dtFloat, dims, raw)
}

// int8Tensor encodes a named int8 initializer.
func int8Tensor(name string, dims []int64, data []int8) []byte {
	raw := make([]byte, len(data))
	for i, v := range data {
		raw[i] = byte(v)
	}
	return tensor(name, dtInt8, dims, raw)
}

// int64Tensor encodes a named int64 initializer.
func int64Tensor(name string, dims []int64, data []int64) []byte {
	raw := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	return tensor(name, dtInt64, dims, raw)
}

func tensor(name string, dataType int64, dims []int64, raw []byte) []byte {
	var b []byte
	for _, d := range dims {
		b = appendInt(b, tensorDims, d)
	}
	b = appendInt(b, tensorDataType, dataType)
	b = appendString(b, tensorName, name)
	b = protowire.AppendTag(b, tensorRawData, protowire.BytesType)
	return protowire.AppendBytes(b, raw)
}

// dim is one dimension of a graph input or output: a fixed size or a
// symbolic name such as "batch".
type dim struct {
	value int64
	param string
}

// valueInfo encodes a graph input or output of a tensor type.
func valueInfo(name string, elemType int64, dims ...dim) []byte {
	var shape []byte
	for _, d := range dims {
		var db []byte
		if d.param != "" {
			db = appendString(db, dimParam, d.param)
		} else {
			db = appendInt(db, dimValue, d.value)
		}
		shape = appendMessage(shape, shapeDim, db)
	}
	var tt []byte
	tt = appendInt(tt, tensorElemType, elemType)
	tt = appendMessage(tt, tensorShape, shape)
	var typ []byte
	typ = appendMessage(typ, typeTensorType, tt)
	var b []byte
	b = appendString(b, valueInfoName, name)
	return appendMessage(b, valueInfoType, typ)
}

// attribute is an integer or integer-list node attribute.
type attribute struct {
	name string
	i    int64
	ints []int64 // used when non-nil
}

func (a attribute) encode() []byte {
	var b []byte
	b = appendString(b, attributeName, a.name)
	if a.ints != nil {
		b = appendInt(b, attributeType, attrInts)
		return appendPackedInts(b, attributeInts, a.ints)
	}
	b = appendInt(b, attributeType, attrInt)
	return appendInt(b, attributeI, a.i)
}

func node(name, opType string, inputs, outputs []string, attrs []attribute) []byte {
	var b []byte
	for _, in := range inputs {
		b = appendString(b, nodeInput, in)
	}
	for _, out := range outputs {
		b = appendString(b, nodeOutput, out)
	}
	b = appendString(b, nodeName, name)
	b = appendString(b, nodeOpType, opType)
	for _, a := range attrs {
		b = appendMessage(b, nodeAttribute, a.encode())
	}
	return b
}
