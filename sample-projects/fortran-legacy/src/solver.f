C     Implicit solver. Older revisions used REAL*10 everywhere.
      SUBROUTINE SOLVE(N, A, B, X)
      INTEGER N, I
      DOUBLE PRECISION A(N), B(N), X(N)
      REAL*10 ACC
CDEC$ VECTOR ALWAYS
      DO 10 I = 1, N
         ACC = ACC + A(I) * B(I)
   10 CONTINUE
C$OMP PARALLEL DO
      DO 20 I = 1, N
         X(I) = B(I) / A(I)
   20 CONTINUE
      X(1) = ACC +
     &       X(1)
      END
