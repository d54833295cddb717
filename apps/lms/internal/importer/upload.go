package importer

import (
	"errors"
	"io"
	"path"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/roster"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// Upload is one file as a person sent it: the name their browser gave
// (any folders are dropped) and its bytes, spooled (see SpoolMultipart).
type Upload struct {
	Name string
	Body io.ReaderAt
	Size int64
}

// Collect checks an upload and returns its files in the chosen format (or,
// when kind is empty, the format the file names look like; see Formats).
// Nothing is read into memory whole: CSV files are read from their spooled
// files, and a zipped bundle's CSV files from its entries, checked once
// against maxUnzipped bytes (and a bounded ratio, see roster.OpenZip) and
// inflated again, never to disk, each time they are read. The uploads must
// stay open while the files are used. What is wrong with the upload is a
// validate.Errors on the "files" field (or "kind"), worded for the form.
func Collect(kind string, uploads []Upload, maxUnzipped int64) (*Format, roster.Files, error) {
	names := make([]string, len(uploads))
	for i, u := range uploads {
		names[i] = path.Base(strings.ReplaceAll(u.Name, "\\", "/"))
	}
	format, ok := FormatNamed(kind)
	if kind == "" {
		format, ok = Detect(names)
	}
	if !ok {
		return nil, nil, invalid("kind", "Choose a format: OneRoster or users CSV.")
	}
	if len(uploads) == 0 {
		return nil, nil, invalid("files", "Choose at least one file.")
	}
	files := roster.Files{}
	for i, u := range uploads {
		name := names[i]
		if format.Zip && strings.EqualFold(path.Ext(name), ".zip") {
			if len(uploads) > 1 {
				return nil, nil, invalid("files", "Upload either one .zip file or the CSV files, not both.")
			}
			unzipped, err := roster.OpenZip(u.Body, u.Size, maxUnzipped)
			if err != nil {
				return nil, nil, invalid("files", zipMessage(err))
			}
			return format, unzipped, nil
		}
		if !strings.EqualFold(path.Ext(name), ".csv") {
			return nil, nil, invalid("files", name+" is not a .csv or .zip file.")
		}
		files[name] = roster.ReaderAtSource(u.Body, u.Size)
	}
	if format.OneFile && len(files) != 1 {
		return nil, nil, invalid("files", "A "+format.Label+" import takes exactly one file.")
	}
	return format, files, nil
}

func invalid(field, message string) error {
	var ve validate.Errors
	ve.Add(field, message)
	return ve
}

func zipMessage(err error) string {
	switch {
	case errors.Is(err, roster.ErrZipUnsafePath):
		return "The zip holds a file whose name points outside the zip (such as ../). It was refused; export the roster again."
	case errors.Is(err, roster.ErrZipTooLarge):
		return "The zip unpacks to more than the limit. Split the roster or remove unused files."
	case errors.Is(err, roster.ErrZipTooManyEntries):
		return "The zip holds too many files. A OneRoster bundle has about ten."
	case errors.Is(err, roster.ErrZipDuplicateFile):
		return "The zip holds two files with the same name in different folders. Keep one."
	}
	return "The zip could not be opened. Check that it is a .zip file and export it again."
}
