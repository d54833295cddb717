package storage

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestCheckReadsTheKindFromTheContent(t *testing.T) {
	var docx bytes.Buffer
	zw := zip.NewWriter(&docx)
	w, _ := zw.Create("word/document.xml")
	_, _ = w.Write([]byte("<w:document/>"))
	_ = zw.Close()
	cases := []struct {
		name, file string
		content    []byte
		want       string // content type, or "" when refused
	}{
		{"a PDF", "essay.pdf", []byte("%PDF-1.7\n1 0 obj\n"), "application/pdf"},
		{"a PDF named .txt", "essay.txt", []byte("%PDF-1.7\n1 0 obj\n"), "application/pdf"},
		{"a PNG", "photo.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "image/png"},
		{"plain text", "notes.txt", []byte("My notes on chapter 3."), "text/plain; charset=utf-8"},
		{"a Word document", "essay.docx", docx.Bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"a zip with an unknown name", "essay.bin", docx.Bytes(), ""},
		{"HTML named .pdf", "essay.pdf", []byte("<!DOCTYPE html><script>alert(1)</script>"), ""},
		{"an executable named .pdf", "essay.pdf", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), ""},
		{"an empty file", "essay.pdf", nil, ""},
	}
	for _, tc := range cases {
		c, err := Check(bytes.NewReader(tc.content), tc.file, 1<<20)
		if tc.want == "" {
			if _, ok := IsUploadError(err); !ok {
				t.Errorf("%s: accepted (%v), want a refusal people can read", tc.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if c.Kind.ContentType != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, c.Kind.ContentType, tc.want)
		}
		got, _ := io.ReadAll(c)
		if !bytes.Equal(got, tc.content) || c.Size() != int64(len(tc.content)) {
			t.Errorf("%s: read back %d bytes (counted %d), want the %d uploaded", tc.name, len(got), c.Size(), len(tc.content))
		}
	}
}

// endless yields a PDF header and then filler forever: the upload must be
// stopped by counting, not by reading it all first.
type endless struct{ sent int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.sent == 0 {
		n := copy(p, "%PDF-1.7\n")
		e.sent += int64(n)
		return n, nil
	}
	for i := range p {
		p[i] = 'x'
	}
	e.sent += int64(len(p))
	return len(p), nil
}

func TestAnOversizedUploadIsStoppedWhileStreamingAndLeavesNothing(t *testing.T) {
	store := Folder(t.TempDir())
	src := &endless{}
	c, err := Check(src, "big.pdf", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.Put(context.Background(), "uploads/big", c)
	ue, ok := IsUploadError(err)
	if !ok || !strings.Contains(ue.Message, "larger than 1 MB") {
		t.Fatalf("put: %v, want the size refusal", err)
	}
	if src.sent > 2<<20 {
		t.Errorf("read %d bytes of the source before refusing it", src.sent)
	}
	if _, err := store.Get(context.Background(), "uploads/big"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the refused upload left an object: %v", err)
	}
}
