package web

import (
	"embed"
	"io/fs"
)

//go:embed templates assets
var embedded embed.FS

func subFS(dir string) fs.FS {
	sub, err := fs.Sub(embedded, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
