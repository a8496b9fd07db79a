using System.Runtime.Intrinsics.X86;

public static class Checksum
{
    public static uint Crc(uint crc, uint value) =>
        Sse42.IsSupported ? Sse42.Crc32(crc, value) : crc ^ value;
}
