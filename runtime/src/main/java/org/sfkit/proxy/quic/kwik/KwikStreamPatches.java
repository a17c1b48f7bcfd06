package org.sfkit.proxy.quic.kwik;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * Load-time fixes for two kwik 0.10.8 stream classes, applied by defining rewritten copies of
 * them in kwik's own class loader and package ({@link MethodHandles.Lookup#defineClass}) before
 * kwik loads the originals. No agent, no {@code Unsafe}, no kwik source in this repository; only
 * a few instructions change, and installation fails loudly if the bytecode is not the one we
 * expect (another kwik version) or the classes were already loaded.
 *
 * <ol>
 *   <li><b>Send-request race</b> ({@code StreamOutputStreamImpl}). kwik keeps "at most one queued
 *       send request per stream" with a counter that it reads, then queues, then increments; the
 *       sender thread decrements when it serves the request. When the sender serves the request
 *       between the writer's queue and increment, it sees -1, does not queue a follow-up although
 *       data is left, and the writer's increment brings the counter back to 0 with nothing queued:
 *       a writer blocked on the full send buffer then waits forever (field notes: 4 of 100 streams
 *       of 8 MiB; also unfixed upstream). We make the claim atomic: the read becomes
 *       {@code compareAndExchange(0, 1)} (only the thread that moves 0 to 1 queues), the later
 *       increment is dropped, and the sender's decrement becomes {@code getAndSet(0)} (the one
 *       queued request was served; whoever claims next queues the next one).
 *   <li><b>Reset error code</b> ({@code StreamInputStreamImpl}). kwik discards the application
 *       error code of a received RESET_STREAM (RFC 9000 section 19.4) and only throws a generic
 *       exception from {@code read}. We add a field that {@code terminate(errorCode, finalSize)}
 *       fills first, so {@link KwikStream} can throw {@code StreamResetException(code)}.
 * </ol>
 */
final class KwikStreamPatches {
    private static final String PACKAGE = "tech.kwik.core.stream.";
    private static final String OUTPUT_STREAM = PACKAGE + "StreamOutputStreamImpl";
    private static final String INPUT_STREAM = PACKAGE + "StreamInputStreamImpl";
    /** A public class of the same package that loads neither patched class. */
    private static final String ANCHOR = PACKAGE + "StreamOutputStream";
    private static final String RESET_CODE_FIELD = "sfkitPeerResetErrorCode";
    private static final String ATOMIC_INTEGER = Type.getInternalName(AtomicInteger.class);

    private static final VarHandle PEER_RESET_CODE;
    private static final VarHandle OUTPUT_RESET;
    private static final VarHandle OUTPUT_RESET_CODE;
    private static final IllegalStateException FAILURE;

    static {
        VarHandle peerResetCode = null;
        VarHandle outputReset = null;
        VarHandle outputResetCode = null;
        IllegalStateException failure = null;
        try {
            ClassLoader kwikLoader = tech.kwik.core.QuicStream.class.getClassLoader();
            MethodHandles.Lookup kwikPackage = privateLookup(Class.forName(ANCHOR, false, kwikLoader));
            Class<?> output = kwikPackage.defineClass(patchOutputStream(classBytes(kwikLoader, OUTPUT_STREAM)));
            Class<?> input = kwikPackage.defineClass(patchInputStream(classBytes(kwikLoader, INPUT_STREAM)));
            peerResetCode = privateLookup(input).findVarHandle(input, RESET_CODE_FIELD, Long.class);
            outputReset = privateLookup(output).findVarHandle(output, "reset", boolean.class);
            outputResetCode = privateLookup(output).findVarHandle(output, "resetErrorCode", long.class);
        } catch (ReflectiveOperationException | IOException | LinkageError | IllegalStateException e) {
            failure = new IllegalStateException("cannot patch kwik's stream classes (kwik was used before "
                    + "the engine, or this is not kwik 0.10.8); without the patch large streams can stall", e);
        }
        PEER_RESET_CODE = peerResetCode;
        OUTPUT_RESET = outputReset;
        OUTPUT_RESET_CODE = outputResetCode;
        FAILURE = failure;
    }

    private KwikStreamPatches() {
    }

    /**
     * Applies the patches (once, in the static initializer).
     *
     * @throws IllegalStateException if they cannot be applied: the engine must not run unpatched
     */
    static void install() {
        if (FAILURE != null) {
            throw FAILURE;
        }
    }

    /** The error code of the peer's RESET_STREAM on this kwik input stream, or {@code null}. */
    static Long peerResetErrorCode(InputStream kwikInput) {
        return (Long) PEER_RESET_CODE.getVolatile(kwikInput);
    }

    /** The error code the output stream was reset with (locally or on the peer's STOP_SENDING), or {@code null}. */
    static Long outputResetErrorCode(java.io.OutputStream kwikOutput) {
        return (boolean) OUTPUT_RESET.getVolatile(kwikOutput) ? (Long) (long) OUTPUT_RESET_CODE.getVolatile(kwikOutput) : null;
    }

    private static MethodHandles.Lookup privateLookup(Class<?> kwikClass) throws IllegalAccessException {
        return MethodHandles.privateLookupIn(kwikClass, MethodHandles.lookup());
    }

    private static byte[] classBytes(ClassLoader loader, String className) throws IOException {
        try (InputStream in = loader.getResourceAsStream(className.replace('.', '/') + ".class")) {
            if (in == null) {
                throw new IOException(className + " not found");
            }
            return in.readAllBytes();
        }
    }

    static byte[] patchOutputStream(byte[] original) {
        int[] replaced = new int[1];
        byte[] patched = rewrite(original, (name, mv) -> switch (name) {
            case "scheduleSendStreamFrameRequest" -> new MethodVisitor(Opcodes.ASM9, mv) {
                @Override
                public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                    if (owner.equals(ATOMIC_INTEGER) && method.equals("get")) {
                        // queued = counter.get()  ->  queued = counter.compareAndExchange(0, 1): the claim
                        super.visitInsn(Opcodes.ICONST_0);
                        super.visitInsn(Opcodes.ICONST_1);
                        super.visitMethodInsn(opcode, owner, "compareAndExchange", "(II)I", false);
                        replaced[0]++;
                    } else if (owner.equals(ATOMIC_INTEGER) && method.equals("incrementAndGet")) {
                        // counter.incrementAndGet() after queueing: already counted by the claim
                        super.visitInsn(Opcodes.POP);
                        super.visitInsn(Opcodes.ICONST_0);
                        replaced[0]++;
                    } else {
                        super.visitMethodInsn(opcode, owner, method, desc, itf);
                    }
                }
            };
            case "sendStreamFrame" -> new MethodVisitor(Opcodes.ASM9, mv) {
                @Override
                public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                    if (owner.equals(ATOMIC_INTEGER) && method.equals("decrementAndGet")) {
                        // the single queued request is being served: release the claim
                        super.visitInsn(Opcodes.ICONST_0);
                        super.visitMethodInsn(opcode, owner, "getAndSet", "(I)I", false);
                        replaced[0]++;
                    } else {
                        super.visitMethodInsn(opcode, owner, method, desc, itf);
                    }
                }
            };
            default -> mv;
        }, null);
        expect(replaced[0] == 3, OUTPUT_STREAM, "3 counter operations, found " + replaced[0]);
        return patched;
    }

    static byte[] patchInputStream(byte[] original) {
        String owner = INPUT_STREAM.replace('.', '/');
        int[] replaced = new int[1];
        byte[] patched = rewrite(original, (name, mv) -> !name.equals("terminate") ? mv : new MethodVisitor(Opcodes.ASM9, mv) {
            @Override
            public void visitCode() {
                super.visitCode();
                // this.sfkitPeerResetErrorCode = Long.valueOf(errorCode)   (terminate(long errorCode, long finalSize))
                super.visitVarInsn(Opcodes.ALOAD, 0);
                super.visitVarInsn(Opcodes.LLOAD, 1);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Long", "valueOf", "(J)Ljava/lang/Long;", false);
                super.visitFieldInsn(Opcodes.PUTFIELD, owner, RESET_CODE_FIELD, "Ljava/lang/Long;");
                replaced[0]++;
            }
        }, cv -> cv.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_VOLATILE, RESET_CODE_FIELD, "Ljava/lang/Long;", null, null).visitEnd());
        expect(replaced[0] == 1, INPUT_STREAM, "one terminate method, found " + replaced[0]);
        return patched;
    }

    private interface MethodPatch {
        MethodVisitor wrap(String methodName, MethodVisitor next);
    }

    private interface ClassAddition {
        void addTo(ClassVisitor cv);
    }

    private static byte[] rewrite(byte[] original, MethodPatch patch, ClassAddition addition) {
        ClassReader reader = new ClassReader(original);
        // COMPUTE_MAXS: the claim needs two more stack slots. Stack map frames stay valid: no
        // branch target or local changes type.
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
                return patch.wrap(name, super.visitMethod(access, name, desc, signature, exceptions));
            }

            @Override
            public void visitEnd() {
                if (addition != null) {
                    addition.addTo(cv);
                }
                super.visitEnd();
            }
        }, 0);
        return writer.toByteArray();
    }

    private static void expect(boolean found, String className, String what) {
        if (!found) {
            throw new IllegalStateException(className + " is not the kwik 0.10.8 bytecode we patch: expected " + what);
        }
    }
}
