module blas_glue
#if defined(__INTEL_COMPILER)
  include 'mkl_blas.fi'
#endif
  include 'mkl_lapack.fi'
#if !defined(__x86_64__) && !defined(__powerpc64__)
#error "unsupported architecture for the tuned kernels"
#endif
end module blas_glue
