import{n as e}from"./rolldown-runtime-WkwZ5CU-.js";import{At as t,D as n,E as r,H as i,O as a,S as o,X as s,Y as c,Z as l,ht as u,i as d,k as f,m as p,mt as m,n as h,v as g,y as _,yt as v}from"./useDocumentTitle-D5gFgN1H.js";import{D as y}from"./Modal-BaAwhk7N.js";import{t as b}from"./useQuery-BtL4lH6V.js";import{g as x,m as S}from"./errors-Du0Ujxe3.js";import{t as C}from"./Box-ivRNBipE.js";var w=e(t(),1);function T(e){return s(`MuiLinearProgress`,e)}c(`MuiLinearProgress`,[`root`,`colorPrimary`,`colorSecondary`,`determinate`,`indeterminate`,`buffer`,`query`,`dashed`,`bar`,`bar1`,`bar2`]);var E=v(),D=4,O={},k=u`
  0% {
    left: -35%;
    right: 100%;
  }

  60% {
    left: 100%;
    right: -90%;
  }

  100% {
    left: 100%;
    right: -90%;
  }
`,A=typeof k==`string`?null:m`
        animation: ${k} 2.1s cubic-bezier(0.65, 0.815, 0.735, 0.395) infinite;
      `,j=u`
  0% {
    left: -200%;
    right: 100%;
  }

  60% {
    left: 107%;
    right: -8%;
  }

  100% {
    left: 107%;
    right: -8%;
  }
`,M=typeof j==`string`?null:m`
        animation: ${j} 2.1s cubic-bezier(0.165, 0.84, 0.44, 1) 1.15s infinite;
      `,N=u`
  0% {
    opacity: 1;
    background-position: 0 -23px;
  }

  60% {
    opacity: 0;
    background-position: 0 -23px;
  }

  100% {
    opacity: 1;
    background-position: -200px -23px;
  }
`,P=typeof N==`string`?null:m`
        animation: ${N} 3s infinite linear;
      `,F=e=>{let{classes:t,variant:n,color:a}=e,o={root:[`root`,`color${r(a)}`,n],dashed:[`dashed`],bar1:[`bar`,`bar1`],bar2:[`bar`,`bar2`,n===`buffer`&&`color${r(a)}`]};return i(o,T,t)},I=(e,t)=>e.vars?e.vars.palette.LinearProgress[`${t}Bg`]:e.palette.mode===`light`?e.lighten(e.palette[t].main,.62):e.darken(e.palette[t].main,.5),L=f(`span`,{name:`MuiLinearProgress`,slot:`Root`,overridesResolver:(e,t)=>{let{ownerState:n}=e;return[t.root,t[`color${r(n.color)}`],t[n.variant]]}})(a(({theme:e})=>({position:`relative`,overflow:`hidden`,display:`block`,height:4,zIndex:0,"@media print":{colorAdjust:`exact`},variants:[...Object.entries(e.palette).filter(p()).map(([t])=>({props:{color:t},style:{backgroundColor:I(e,t)}})),{props:({ownerState:e})=>e.color===`inherit`&&e.variant!==`buffer`,style:{"&::before":{content:`""`,position:`absolute`,left:0,top:0,right:0,bottom:0,backgroundColor:`currentColor`,opacity:.3}}},{props:{variant:`buffer`},style:{backgroundColor:`transparent`}},{props:{variant:`query`},style:{transform:`rotate(180deg)`}}]}))),R=f(`span`,{name:`MuiLinearProgress`,slot:`Dashed`})(a(({theme:e})=>({position:`absolute`,marginTop:0,height:`100%`,width:`100%`,backgroundSize:`10px 10px`,backgroundPosition:`0 -23px`,variants:[{props:{color:`inherit`},style:{opacity:.3,backgroundImage:`radial-gradient(currentColor 0%, currentColor 16%, transparent 42%)`}},...Object.entries(e.palette).filter(p()).map(([t])=>{let n=I(e,t);return{props:{color:t},style:{backgroundImage:`radial-gradient(${n} 0%, ${n} 16%, transparent 42%)`}}})]})),P||{animation:`${N} 3s infinite linear`},a(({theme:e})=>_(e,{animation:`none`})||O)),z=f(`span`,{name:`MuiLinearProgress`,slot:`Bar1`,overridesResolver:(e,t)=>[t.bar,t.bar1]})(a(({theme:e})=>{let t=_(e,{animation:`none`,left:`30%`,right:`auto`,width:`40%`});return{width:`100%`,position:`absolute`,left:0,bottom:0,top:0,...o(e,`transform`,{duration:`0.2s`,easing:`linear`}),transformOrigin:`left`,variants:[{props:{color:`inherit`},style:{backgroundColor:`currentColor`}},...Object.entries(e.palette).filter(p()).map(([t])=>({props:{color:t},style:{backgroundColor:(e.vars||e).palette[t].main}})),{props:{variant:`determinate`},style:{...o(e,`transform`,{duration:`.${D}s`,easing:`linear`})}},{props:{variant:`buffer`},style:{zIndex:1,...o(e,`transform`,{duration:`.${D}s`,easing:`linear`})}},{props:({ownerState:e})=>e.variant===`indeterminate`||e.variant===`query`,style:{width:`auto`}},{props:({ownerState:e})=>e.variant===`indeterminate`||e.variant===`query`,style:A||{animation:`${k} 2.1s cubic-bezier(0.65, 0.815, 0.735, 0.395) infinite`}},...t?[{props:({ownerState:e})=>e.variant===`indeterminate`||e.variant===`query`,style:t}]:[]]}})),B=f(`span`,{name:`MuiLinearProgress`,slot:`Bar2`,overridesResolver:(e,t)=>[t.bar,t.bar2]})(a(({theme:e})=>{let t=_(e,{animation:`none`,display:`none`});return{width:`100%`,position:`absolute`,left:0,bottom:0,top:0,...o(e,`transform`,{duration:`0.2s`,easing:`linear`}),transformOrigin:`left`,variants:[...Object.entries(e.palette).filter(p()).map(([t])=>({props:{color:t},style:{"--LinearProgressBar2-barColor":(e.vars||e).palette[t].main}})),{props:({ownerState:e})=>e.variant!==`buffer`&&e.color!==`inherit`,style:{backgroundColor:`var(--LinearProgressBar2-barColor, currentColor)`}},{props:({ownerState:e})=>e.variant!==`buffer`&&e.color===`inherit`,style:{backgroundColor:`currentColor`}},{props:{color:`inherit`},style:{opacity:.3}},...Object.entries(e.palette).filter(p()).map(([t])=>({props:{color:t,variant:`buffer`},style:{backgroundColor:I(e,t),...o(e,`transform`,{duration:`.${D}s`,easing:`linear`})}})),{props:({ownerState:e})=>e.variant===`indeterminate`||e.variant===`query`,style:{width:`auto`}},{props:({ownerState:e})=>e.variant===`indeterminate`||e.variant===`query`,style:M||{animation:`${j} 2.1s cubic-bezier(0.165, 0.84, 0.44, 1) 1.15s infinite`}},...t?[{props:({ownerState:e})=>e.variant===`indeterminate`||e.variant===`query`,style:t}]:[]]}})),V=w.forwardRef(function(e,t){let r=n({props:e,name:`MuiLinearProgress`}),{className:i,color:a=`primary`,max:o,min:s,value:c,valueBuffer:u,variant:d=`indeterminate`,...f}=r,p={...r,color:a,variant:d},m=s??0,h=o??100,g=F(p),_=y(),v={},b={bar1:{},bar2:{}};if((d===`determinate`||d===`buffer`)&&c!==void 0){let e=h-m,t=(c-m)/e*100-100;_&&(t=-t),b.bar1.transform=e>0?`translateX(${t}%)`:`translateX(-100%)`,v[`aria-valuenow`]=c,v[`aria-valuemin`]=m,v[`aria-valuemax`]=h}if(d===`buffer`&&u!==void 0){let e=h-m,t=(u-m)/e*100-100;_&&(t=-t),b.bar2.transform=e>0?`translateX(${t}%)`:`translateX(-100%)`}return(0,E.jsxs)(L,{className:l(g.root,i),ownerState:p,role:`progressbar`,...v,ref:t,...f,children:[d===`buffer`?(0,E.jsx)(R,{className:g.dashed,ownerState:p}):null,(0,E.jsx)(z,{className:g.bar1,ownerState:p,style:b.bar1}),d===`determinate`?null:(0,E.jsx)(B,{className:g.bar2,ownerState:p,style:b.bar2})]})}),H=S((0,E.jsx)(`path`,{d:`M14 2H6c-1.1 0-1.99.9-1.99 2L4 20c0 1.1.89 2 1.99 2H18c1.1 0 2-.9 2-2V8zm4 18H6V4h7v5h5zM8 15.01l1.41 1.41L11 14.84V19h2v-4.16l1.59 1.59L16 15.01 12.01 11z`}),`UploadFile`);function U({label:e,accept:t,previewUrl:n,previewAlt:r,error:i,hint:a,disabled:o,onFile:s,testId:c,compact:l}){let u=g(),f=(0,w.useRef)(null),[p,m]=(0,w.useState)(!1),_=(0,w.useId)();return(0,E.jsxs)(C,{"data-testid":c,onDragOver:e=>{e.preventDefault(),o||m(!0)},onDragLeave:()=>m(!1),onDrop:e=>{if(e.preventDefault(),m(!1),o)return;let t=e.dataTransfer.files?.[0];t&&s(t)},sx:{border:2,borderStyle:`dashed`,borderColor:i?`error.main`:p?`primary.main`:`grey.500`,bgcolor:p?`action.hover`:`background.paper`,borderRadius:2,p:l?1:2,textAlign:`center`,display:`flex`,flexDirection:`column`,alignItems:`center`,gap:1},children:[(0,E.jsx)(h,{component:`label`,htmlFor:_,sx:{fontWeight:600},children:e}),n?(0,E.jsx)(C,{component:`img`,src:n,alt:r,"data-testid":`${c}-preview`,sx:{maxWidth:`100%`,maxHeight:l?96:320,objectFit:`contain`,borderRadius:1}}):(0,E.jsx)(H,{"aria-hidden":!0,sx:{fontSize:l?32:48,color:`text.secondary`}}),(0,E.jsx)(`input`,{ref:f,id:_,type:`file`,accept:t,disabled:o,"data-testid":`${c}-input`,"aria-describedby":i?`${_}-err`:void 0,"aria-invalid":i?!0:void 0,style:{position:`absolute`,width:1,height:1,opacity:0,overflow:`hidden`,pointerEvents:`none`},tabIndex:-1,onChange:e=>{let t=e.target.files?.[0];t&&s(t),e.target.value=``}}),(0,E.jsx)(d,{variant:`outlined`,size:`small`,disabled:o,onClick:()=>f.current?.click(),"aria-label":`${u(n?`upload.change`:`upload.choose`)}: ${e}`,children:u(n?`upload.change`:`upload.choose`)}),!l&&(0,E.jsx)(h,{variant:`body2`,color:`text.secondary`,children:u(`upload.dropHint`)}),a,i&&(0,E.jsx)(h,{variant:`body2`,color:`error`,id:`${_}-err`,role:`alert`,"data-testid":`${c}-error`,children:i})]})}function W(e){let[t,n]=(0,w.useState)(null);return(0,w.useEffect)(()=>{if(!e||typeof URL.createObjectURL!=`function`){n(null);return}let t=URL.createObjectURL(e);return n(t),()=>URL.revokeObjectURL(t)},[e]),t}function G(){return b({queryKey:[`config`],queryFn:x.siteConfig,staleTime:1/0,gcTime:1/0}).data}export{V as i,W as n,U as r,G as t};