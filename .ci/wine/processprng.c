/*
 * A stand-in bcryptprimitives.dll for the Windows check under Wine: a test
 * fixture, built into the check's own Wine prefix by .ci/windows-check.sh
 * and never shipped.
 *
 * Every Go program since Go 1.22 gets its random numbers from ProcessPrng
 * in bcryptprimitives.dll, which Windows 10 and later have and which
 * Debian 12's Wine 8.0 lacks (its runtime stops at start-up without it).
 * This one fills the buffer from RtlGenRandom (advapi32's
 * SystemFunction036), Wine's system random source, as ProcessPrng does
 * from the system's on Windows.
 *
 * x86_64-w64-mingw32-gcc -shared -s -O2 -o bcryptprimitives.dll processprng.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* ProcessPrng fills data with len random bytes; like Windows', it always
 * succeeds (TRUE), and stops the process rather than return fewer. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			ExitProcess(3);
		data += n;
		len -= n;
	}
	return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
	(void)instance;
	(void)reason;
	(void)reserved;
	return TRUE;
}
