package cli

import (
	"os"
	"syscall"
)

// AttachConsole connects a command's output to the console it was started
// from. The Windows build is a GUI program (it opens a window when run
// without a command), and Windows gives a GUI program no console of its
// own, so without this `keyward keys list` typed in cmd.exe or PowerShell
// would print nothing.
func AttachConsole() {
	const attachParentProcess = ^uintptr(0) // ATTACH_PARENT_PROCESS
	attach := syscall.NewLazyDLL("kernel32.dll").NewProc("AttachConsole")
	if ok, _, _ := attach.Call(attachParentProcess); ok == 0 {
		return // started from Explorer, or output already redirected
	}
	if out, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
		if fileType(os.Stdout) == 0 {
			os.Stdout = out
		}
		if fileType(os.Stderr) == 0 {
			os.Stderr = out
		}
	}
	if in, err := os.OpenFile("CONIN$", os.O_RDONLY, 0); err == nil && fileType(os.Stdin) == 0 {
		os.Stdin = in
	}
}

// fileType is the Windows file type of f's handle; 0 (FILE_TYPE_UNKNOWN)
// when it has none, as a GUI program's standard handles have.
func fileType(f *os.File) uint32 {
	if f == nil {
		return 0
	}
	t, err := syscall.GetFileType(syscall.Handle(f.Fd()))
	if err != nil {
		return 0
	}
	return t
}
