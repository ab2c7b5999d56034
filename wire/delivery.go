package wire

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// A beacon delivery is one stream: the hotspot writes one frame holding the
// encoded beacon report, the validator answers with one frame holding a
// BeaconAck. A frame is a uvarint length and that many bytes.

// MaxAckBytes bounds an answer frame.
const MaxAckBytes = 256

// ErrFrameTooLarge: a frame's declared length exceeds the reader's limit.
var ErrFrameTooLarge = errors.New("frame too large")

// WriteFrame writes one length-prefixed frame.
func WriteFrame(w io.Writer, data []byte) error {
	buf := binary.AppendUvarint(make([]byte, 0, binary.MaxVarintLen64+len(data)), uint64(len(data)))
	_, err := w.Write(append(buf, data...))
	return err
}

// ReadFrame reads one frame of at most limit bytes; it never allocates more
// than limit whatever the peer declares.
func ReadFrame(r io.Reader, limit int) ([]byte, error) {
	br, ok := r.(io.ByteReader)
	if !ok {
		b := bufio.NewReaderSize(r, 16)
		br, r = b, b
	}
	n, err := binary.ReadUvarint(br)
	if err != nil {
		return nil, err
	}
	if n > uint64(limit) {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrFrameTooLarge, n, limit)
	}
	buf := make([]byte, n)
	_, err = io.ReadFull(r, buf)
	return buf, err
}
