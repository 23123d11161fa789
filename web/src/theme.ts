import { createTheme } from '@mui/material/styles';

// Colours chosen for WCAG AA: primary #4527a0 on white ≈ 10:1,
// secondary #ad1457 on white ≈ 6.6:1; text.secondary kept at ≥ 4.5:1.
export const theme = createTheme({
  palette: {
    primary: { main: '#4527a0' },
    secondary: { main: '#ad1457' },
    background: { default: '#f7f6fb', paper: '#ffffff' },
    text: { secondary: 'rgba(0, 0, 0, 0.68)' },
  },
  typography: {
    fontFamily:
      'system-ui, -apple-system, "Segoe UI", Roboto, "Apple SD Gothic Neo", "Noto Sans KR", "Malgun Gothic", sans-serif',
    h1: { fontSize: '2rem', fontWeight: 700 },
    h2: { fontSize: '1.5rem', fontWeight: 700 },
    h3: { fontSize: '1.2rem', fontWeight: 600 },
  },
  shape: { borderRadius: 10 },
  components: {
    MuiButton: { defaultProps: { disableElevation: true } },
    MuiLink: { defaultProps: { underline: 'hover' } },
  },
});
